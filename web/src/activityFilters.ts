import { useCallback, useMemo } from 'react'
import { useSearchParams } from 'react-router'
import type { ActivityFilters, ActivityReason, StatusClass } from './api.ts'
import { timeRanges } from './catalogue.ts'

/** The Activity page's filters as its URL holds them, so that a filtered view can be linked to and reloaded. */
export interface ActivityView {
  key: string
  project: string
  /** A route pattern or an MCP tool. */
  route: string
  /** A status class (`4xx`) or one code (`403`). */
  status: string
  reason: string
  /** `1h`, `24h` (default), `7d` or `30d`: ending now, whenever the page fetches. */
  range: string
  /** A fixed period instead (epoch ms), when the URL names one. */
  from: number | null
  to: number | null
  /** The request opened in the details drawer. */
  request: string
}

export const defaultRange = '24h'
const names = ['key', 'project', 'route', 'status', 'reason', 'range', 'from', 'to', 'request'] as const
const statusClasses: readonly string[] = ['2xx', '4xx', '429', '5xx']

const instant = (text: string | null) => (text && /^\d{1,16}$/.test(text) ? Number(text) : null)

/** Reads and changes the view in the URL; each change is a history entry, so Back undoes it. */
export function useActivityView() {
  const [params, setParams] = useSearchParams()
  const view = useMemo<ActivityView>(
    () => ({
      key: params.get('key') ?? '',
      project: params.get('project') ?? '',
      route: params.get('route') ?? '',
      status: params.get('status') ?? '',
      reason: params.get('reason') ?? '',
      range: params.get('range') ?? defaultRange,
      from: instant(params.get('from')),
      to: instant(params.get('to')),
      request: params.get('request') ?? '',
    }),
    [params],
  )
  const change = useCallback(
    (changes: Partial<Record<(typeof names)[number], string | null>>) =>
      setParams((current) => {
        const next = new URLSearchParams(current)
        for (const [name, value] of Object.entries(changes)) {
          if (value === null || value === '') next.delete(name)
          else next.set(name, value)
        }
        return next
      }),
    [setParams],
  )
  return { view, change }
}

export function rangeMs(view: Pick<ActivityView, 'range' | 'from' | 'to'>): number {
  if (view.from !== null && view.to !== null) return Math.max(1, view.to - view.from)
  return (timeRanges.find((choice) => choice.value === view.range) ?? timeRanges[1])?.ms ?? 86_400_000
}

/** The filters of the view, without the period (it is resolved only when fetching; see `withPeriod`). */
export function filtersOf(view: ActivityView): Omit<ActivityFilters, 'from' | 'to'> {
  const status = view.status
  return {
    keyId: view.key || undefined,
    projectId: view.project || undefined,
    route: view.route || undefined,
    reason: (view.reason || undefined) as ActivityReason | undefined,
    statusClass: statusClasses.includes(status) ? (status as StatusClass) : undefined,
    status: /^\d{3}$/.test(status) && !statusClasses.includes(status) ? Number(status) : undefined,
  }
}

/** The period to ask for now: the fixed one of the URL, or the last `range` up to this moment. */
export function withPeriod(
  view: ActivityView,
  filters: Omit<ActivityFilters, 'from' | 'to'>,
): ActivityFilters {
  if (view.from !== null && view.to !== null) return { ...filters, from: view.from, to: view.to }
  const to = Date.now()
  return { ...filters, from: to - rangeMs(view), to }
}
