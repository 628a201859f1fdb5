import { expect } from 'vitest'
import type { ActivityEntry } from '../../src/core/activity.ts'
import { latencyBoundsMs } from '../../src/core/latency-histogram.ts'
import type { KeyUsageDayData, RouteUsageData } from '../../src/core/read-models/ports.ts'

const day = 86_400_000

/** The histogram bucket of a latency, worked out apart from the code under test: how many bounds it exceeds. */
const bucketOf = (latencyMs: number) => latencyBoundsMs.filter((bound) => latencyMs > bound).length

/** The route as the rollup keys it: none for '' / null, cut to 100 code points. */
const routeOf = (route: string | null) => (route === null ? null : [...route].slice(0, 100).join(''))

const usedBy = (rows: ActivityEntry[], keyId: string, range: { from: number; to: number }) =>
  rows.filter((r) => r.keyId === keyId && r.accountId !== null && r.at >= range.from && r.at < range.to)

/** What a scan of the raw rows answers for a key's usage per UTC day. */
export function expectedByDay(rows: ActivityEntry[], keyId: string, range: { from: number; to: number }) {
  const days = new Map<number, KeyUsageDayData>()
  for (const r of usedBy(rows, keyId, range)) {
    const start = Math.floor(r.at / day) * day
    const usage = days.get(start) ?? {
      day: start,
      requests: 0,
      errors: 0,
      lastAt: 0,
      latencyCounts: new Array(latencyBoundsMs.length + 1).fill(0),
      slowestMs: 0,
    }
    usage.requests++
    if (r.status >= 400) usage.errors++
    usage.lastAt = Math.max(usage.lastAt, r.at)
    usage.slowestMs = Math.max(usage.slowestMs, r.latencyMs)
    usage.latencyCounts[bucketOf(r.latencyMs)]++
    days.set(start, usage)
  }
  return [...days.values()].sort((a, b) => a.day - b.day)
}

/**
 * The percentile a scan gives (nearest rank over the sorted latencies), reported as the histogram does: the upper
 * bound of that latency's bucket, or the slowest latency when lower.
 */
export function expectedPercentile(
  rows: ActivityEntry[],
  keyId: string,
  range: { from: number; to: number },
  percent: number,
) {
  const latencies = usedBy(rows, keyId, range)
    .map((r) => r.latencyMs)
    .sort((a, b) => a - b)
  if (latencies.length === 0) return null
  const slowest = latencies.at(-1) as number
  const atRank = latencies[Math.max(1, Math.ceil((latencies.length * percent) / 100)) - 1] as number
  return Math.min(latencyBoundsMs[bucketOf(atRank)] ?? slowest, slowest)
}

/** Every endpoint the key called in the range, with its counts. */
export function expectedRoutes(rows: ActivityEntry[], keyId: string, range: { from: number; to: number }) {
  const routes = new Map<string, RouteUsageData>()
  for (const r of usedBy(rows, keyId, range)) {
    const route = routeOf(r.route)
    const id = `${r.method} ${route}`
    const usage = routes.get(id) ?? { method: r.method, route, requests: 0, errors: 0 }
    usage.requests++
    if (r.status >= 400) usage.errors++
    routes.set(id, usage)
  }
  return [...routes.values()]
}

/**
 * `top` is a top-`limit` of `all`: its entries carry their exact counts, most requested first, and nothing left out
 * was requested more than the least requested shown (ties may fall either way, as collations differ).
 */
export function expectTopRoutes(top: RouteUsageData[], all: RouteUsageData[], limit: number) {
  const id = (r: RouteUsageData) => `${r.method} ${r.route}`
  const byId = new Map(all.map((r) => [id(r), r]))
  expect(top).toHaveLength(Math.min(limit, all.length))
  for (const r of top) expect(r).toEqual(byId.get(id(r)))
  const counts = top.map((r) => r.requests)
  expect(counts).toEqual([...counts].sort((a, b) => b - a))
  const shown = new Set(top.map(id))
  const least = Math.min(...counts)
  for (const r of all) if (!shown.has(id(r))) expect(r.requests).toBeLessThanOrEqual(least)
}
