import { z } from 'zod'
import { requireProjectAccess } from '../access.ts'
import type { Actor } from '../model.ts'
import { type AnalyticsDeps, trackingQuery, trackingScope } from './inputs.ts'
import type { Classification, Day } from './model.ts'
import { dayMs, describeWindow, isoDay, ratio } from './window.ts'

export const competitiveQuery = trackingQuery.extend({
  grouping: z
    .enum(['daily', 'weekly', 'monthly'])
    .default('daily')
    .describe('Bucket size: daily, weekly (ISO weeks from Monday) or monthly (calendar months), in UTC'),
})
type Grouping = z.output<typeof competitiveQuery>['grouping']

/** The first day of the bucket a day falls in. */
export function bucketStart(day: Day, grouping: Grouping): Day {
  if (grouping === 'daily') return day
  const date = new Date(day)
  if (grouping === 'monthly') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)
  const sinceMonday = (date.getUTCDay() + 6) % 7
  return day - sinceMonday * dayMs
}

export async function getCompetitivePosition(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string } & z.output<typeof competitiveQuery>,
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, {
    scope: 'competitive.read',
    write: false,
  })
  const { window, filter } = await trackingScope(deps, input.projectId, input)
  const byDay = await deps.storage.tracking.citationsByDay(filter)
  const buckets = new Map<Day, Record<Classification, number>>()
  // Every bucket of the window is listed, empty ones included, so a chart has no gaps.
  for (let day = window.from; day <= window.to; day += dayMs) {
    const start = bucketStart(day, input.grouping)
    if (!buckets.has(start)) buckets.set(start, { primary: 0, competitor: 0, other: 0 })
  }
  const totals = { primary: 0, competitor: 0, other: 0 }
  for (const row of byDay) {
    const bucket = buckets.get(bucketStart(row.day, input.grouping))
    if (bucket) bucket[row.classification] += row.count
    totals[row.classification] += row.count
  }
  const all = totals.primary + totals.competitor + totals.other
  return {
    window: describeWindow(window),
    grouping: input.grouping,
    series: [...buckets].map(([start, counts]) => {
      const total = counts.primary + counts.competitor + counts.other
      return { periodStart: isoDay(start), ...counts, total, primaryShare: ratio(counts.primary, total) }
    }),
    totals: {
      ...totals,
      total: all,
      primaryShare: ratio(totals.primary, all),
      competitorShare: ratio(totals.competitor, all),
    },
  }
}
