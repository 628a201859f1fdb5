import { latencyBucketCount, latencyPercentile } from '../latency-histogram.ts'
import type { Actor, Instant, KeyStatus } from '../model.ts'
import type { ReadModelDeps } from './deps.ts'
import { keyRow } from './keys.ts'
import type { RouteUsageData } from './ports.ts'

const day = 86_400_000
const usageWindowDays = 30

/**
 * An active key that nothing has called for 30 days (or, never called, was created that long ago) is a candidate to
 * revoke. The Activity page's per-key usage and the key drawer's Usage tab both flag keys with this.
 */
export function unusedFor30Days(
  key: { status: KeyStatus; createdAt: Instant },
  lastUsedAt: Instant | null,
  now: Instant,
): boolean {
  return key.status === 'active' && (lastUsedAt ?? key.createdAt) < now - usageWindowDays * day
}

export interface KeyUsageDetails {
  /** The window: from UTC midnight 29 days ago (whole days, so whole rollup hours) to now. */
  from: Instant
  to: Instant
  /** Every day of the window, oldest first, days without requests included; `day` is the UTC date. */
  days: Array<{ day: string; requests: number; errors: number }>
  requests: number
  errors: number
  errorRate: number
  /** Upper bounds (ms) by nearest rank from the latency histogram; null without requests. */
  p50Ms: number | null
  p95Ms: number | null
  topRoutes: RouteUsageData[]
  lastUsedAt: Instant | null
  unusedFor30Days: boolean
}

/**
 * A key's usage over the last 30 days for the key drawer, for any member of its account (404 for anyone else). Read
 * only from the hourly rollup: the window starts at a UTC midnight, so its hours are whole and no raw row is needed.
 */
export async function keyUsageDetails(
  deps: ReadModelDeps,
  actor: Actor,
  input: { keyId: string },
): Promise<KeyUsageDetails> {
  const key = await keyRow(deps, actor, input)
  const now = deps.clock()
  const from = Math.floor(now / day) * day - (usageWindowDays - 1) * day
  const range = { from, to: from + usageWindowDays * day }
  const [byDay, topRoutes] = await Promise.all([
    deps.views.keyUsage.byDay(key.id, range),
    deps.views.keyUsage.topRoutes(key.id, range, 10),
  ])
  const counted = new Map(byDay.map((usage) => [usage.day, usage]))
  const days = Array.from({ length: usageWindowDays }, (_, i) => {
    const start = from + i * day
    const usage = counted.get(start)
    return {
      day: new Date(start).toISOString().slice(0, 10),
      requests: usage?.requests ?? 0,
      errors: usage?.errors ?? 0,
    }
  })
  const latencyCounts = Array.from({ length: latencyBucketCount }, (_, bucket) =>
    byDay.reduce((sum, usage) => sum + (usage.latencyCounts[bucket] ?? 0), 0),
  )
  const slowestMs = Math.max(0, ...byDay.map((usage) => usage.slowestMs))
  const requests = days.reduce((sum, usage) => sum + usage.requests, 0)
  const errors = days.reduce((sum, usage) => sum + usage.errors, 0)
  const lastUsedAt = Math.max(key.lastUsedAt ?? 0, ...byDay.map((usage) => usage.lastAt)) || null
  return {
    from,
    to: now,
    days,
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    p50Ms: latencyPercentile(latencyCounts, slowestMs, 50),
    p95Ms: latencyPercentile(latencyCounts, slowestMs, 95),
    topRoutes,
    lastUsedAt,
    unusedFor30Days: unusedFor30Days(key, lastUsedAt, now),
  }
}
