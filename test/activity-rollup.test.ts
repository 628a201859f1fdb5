import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ActivityEntry } from '../src/core/activity.ts'
import type { ActivityReason } from '../src/core/activity-reason.ts'
import { latencyBucketCount, latencyPercentile } from '../src/core/latency-histogram.ts'
import type { ActivityFilter, StatusClass } from '../src/core/read-models/ports.ts'
import { migrateToLatest, type OpenDatabase, openDatabase } from '../src/storage/database.ts'
import * as activityHourlyUsage from '../src/storage/migrations/0011-activity-hourly-usage.ts'
import * as activityHalfDay from '../src/storage/migrations/0022-activity-half-day.ts'
import { activityLog } from '../src/storage/read-models/activity.ts'
import { keyUsageLog } from '../src/storage/read-models/key-usage.ts'
import { activityStore } from '../src/storage/stores/activity.ts'
import { statusClassOf } from '../src/storage/stores/activity-hourly.ts'
import { type TestDatabase, testDatabases } from './support/databases.ts'
import {
  expectedByDay,
  expectedPercentile,
  expectedRoutes,
  expectTopRoutes,
} from './support/key-usage-oracle.ts'

const hour = 3_600_000
const start = Date.UTC(2026, 10, 1, 0, 0, 0)
const span = 3 * 24 * hour

/** A SQLite file, whose rows go through the writer thread. */
const sqliteFile: TestDatabase = {
  name: 'sqlite' as const,
  async open() {
    const folder = mkdtempSync(join(tmpdir(), 'keyward-rollup-'))
    const database = openDatabase(join(folder, 'k.db'))
    await migrateToLatest(database.db)
    return {
      ...database,
      async close() {
        await database.close()
        rmSync(folder, { recursive: true, force: true })
      },
    }
  },
}

const keys = [
  { accountId: 'acc-a', projectId: 'p-1', keyId: 'k-1' },
  { accountId: 'acc-a', projectId: 'p-2', keyId: 'k-2' },
  { accountId: 'acc-b', projectId: 'p-3', keyId: 'k-3' },
  { accountId: null, projectId: null, keyId: null },
]
const statuses = [200, 201, 400, 401, 403, 404, 429, 500, 503]

/** REST routes, MCP tools, no route at all, and made-up tool names past the rollup's 100 characters. */
const endpoints = [
  { method: 'GET', route: '/projects/:projectId/webhooks' },
  { method: 'POST', route: '/projects/:projectId/webhooks' },
  { method: 'GET', route: '/projects/:projectId/visibility/summary' },
  { method: 'GET', route: null },
  { method: 'MCP', route: 'devtune_list_webhooks' },
  { method: 'MCP', route: null },
  { method: 'MCP', route: `devtune_${'x'.repeat(150)}` },
  { method: 'MCP', route: `devtune_${'\u{1F600}'.repeat(120)}` },
]

/** Latencies on the histogram's bounds and just past them, and anything up to past its last bound. */
const latencyArbitrary = fc.oneof(
  fc.constantFrom(0, 0.5, 0.51, 1, 7.5, 7.51, 30000, 30000.01, 45000),
  fc.integer({ min: 0, max: 4_000_000 }).map((centis) => centis / 100),
)

const rowArbitrary = fc.record({
  at: fc.integer({ min: start, max: start + span }),
  who: fc.integer({ min: 0, max: keys.length - 1 }),
  status: fc.constantFrom(...statuses),
  endpoint: fc.integer({ min: 0, max: endpoints.length - 1 }),
  latencyMs: latencyArbitrary,
})

/** Refusals carry a reason; a 4xx that is not one (404) has none, as in the server. */
const reasonOf = (status: number): ActivityReason | null =>
  status === 429 ? 'rate_limited' : status === 403 ? 'missing_scope' : status === 401 ? 'revoked' : null

let serial = 0
const entry = (r: {
  at: number
  who: number
  status: number
  endpoint: number
  latencyMs: number
}): ActivityEntry => ({
  id: `${r.at.toString(16).padStart(12, '0')}${(serial++).toString(16).padStart(20, '0')}`,
  at: r.at,
  ...(keys[r.who] as (typeof keys)[0]),
  ...(endpoints[r.endpoint] as (typeof endpoints)[0]),
  path: '/api/v2/projects/p/webhooks',
  status: r.status,
  scope: 'webhooks.read',
  latencyMs: r.latencyMs,
  errorCode: null,
  rateLimited: r.status === 429,
  reason: reasonOf(r.status),
  requestedProjectId: null,
  requestId: null,
  rpcId: null,
  clientIp: null,
  userAgent: null,
})

/** What a scan of the raw rows answers: the oracle the rollup must agree with. */
function expectedSeries(rows: ActivityEntry[], filter: ActivityFilter, bucketMs: number) {
  const counts = new Map<string, number>()
  for (const r of rows) {
    if (r.accountId !== filter.accountId || r.at < filter.from || r.at > filter.to) continue
    if (filter.keyId && r.keyId !== filter.keyId) continue
    if (filter.projectId && r.projectId !== filter.projectId) continue
    if (filter.statusClass && statusClassOf(r.status) !== filter.statusClass) continue
    if (filter.route !== undefined && r.route !== filter.route) continue
    if (filter.status !== undefined && r.status !== filter.status) continue
    if (filter.reason !== undefined && r.reason !== filter.reason) continue
    const id = `${Math.floor(r.at / bucketMs) * bucketMs}/${statusClassOf(r.status)}`
    counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  return [...counts].map(([id, count]) => `${id}=${count}`).sort()
}

const summed = (points: { start: number; statusClass: StatusClass; count: number }[]) => {
  const counts = new Map<string, number>()
  for (const p of points) {
    const id = `${p.start}/${p.statusClass}`
    counts.set(id, (counts.get(id) ?? 0) + p.count)
  }
  return [...counts].map(([id, count]) => `${id}=${count}`).sort()
}

function expectedUsage(rows: ActivityEntry[], accountId: string, since: number) {
  const usage = new Map<string, { keyId: string; requests: number; errors: number; lastAt: number }>()
  for (const r of rows) {
    if (r.accountId !== accountId || r.at < since || r.keyId === null) continue
    const u = usage.get(r.keyId) ?? { keyId: r.keyId, requests: 0, errors: 0, lastAt: 0 }
    u.requests++
    if (r.status >= 400) u.errors++
    u.lastAt = Math.max(u.lastAt, r.at)
    usage.set(r.keyId, u)
  }
  return [...usage.values()].sort((a, b) => a.keyId.localeCompare(b.keyId))
}

const halfDay = 12 * hour

/**
 * Instants anywhere, and on or next to an hour's or a 12-hour span's boundary (UTC midnight or noon), so that ranges
 * cover whole 12-hour spans, whole hours around them and ragged ends, or start or end exactly on a boundary.
 */
const instant = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ min, max }),
    fc
      .record({
        at: fc.integer({ min, max }),
        unit: fc.constantFrom(hour, halfDay),
        nudge: fc.constantFrom(-1, 0, 1),
      })
      .map(({ at, unit, nudge }) => Math.min(max, Math.max(min, Math.round(at / unit) * unit + nudge))),
  )

const queryArbitrary = fc.record({
  from: instant(start - hour, start + span),
  length: fc.oneof(
    fc.integer({ min: 0, max: span }),
    fc.constantFrom(halfDay - 1, halfDay, 2 * halfDay - 1, 2 * halfDay + hour - 1, span - 1),
  ),
  bucketMs: fc.constantFrom(15 * 60_000, hour, 3 * hour, halfDay, 24 * hour),
  accountId: fc.constantFrom('acc-a', 'acc-b'),
  keyId: fc.option(fc.constantFrom('k-1', 'k-2', 'k-3'), { nil: undefined }),
  projectId: fc.option(fc.constantFrom('p-1', 'p-2'), { nil: undefined }),
  statusClass: fc.option(fc.constantFrom<StatusClass>('2xx', '4xx', '429', '5xx'), { nil: undefined }),
  // The filters that the shape rollup answers (migration 0021), each absent half the time (fast-check's default is a
  // fifth), so that an eighth of the queries read the plain rollups rather than the shape ones.
  route: fc.option(fc.constantFrom(...endpoints.map((e) => e.route).filter((r) => r !== null)), {
    nil: undefined,
    freq: 2,
  }),
  status: fc.option(fc.constantFrom(...statuses), { nil: undefined, freq: 2 }),
  reason: fc.option(fc.constantFrom<ActivityReason>('rate_limited', 'missing_scope', 'revoked'), {
    nil: undefined,
    freq: 2,
  }),
})

describe.each([...testDatabases, { ...sqliteFile, name: 'sqlite file (writer thread)' }])(
  'the hourly activity rollup on $name',
  (database) => {
    let open: OpenDatabase
    const rows: ActivityEntry[] = []
    beforeAll(async () => {
      open = await database.open()
      const store = activityStore(open.db, open.sqlite, open.activityWriter)
      // Several batches, so that later ones add to hours earlier ones began.
      const batches = fc.sample(fc.array(rowArbitrary, { minLength: 100, maxLength: 400 }), {
        seed: 7,
        numRuns: 6,
      })
      for (const batch of batches) {
        const entries = batch.map(entry)
        rows.push(...entries)
        await store.insertMany(entries)
      }
    })
    afterAll(() => open.close())

    it('answers the chart exactly as a scan of the rows does, for any range, bucket and filter', async () => {
      const log = activityLog(open.db)
      await fc.assert(
        fc.asyncProperty(queryArbitrary, async (q) => {
          const filter: ActivityFilter = {
            accountId: q.accountId,
            from: q.from,
            to: q.from + q.length,
            ...(q.keyId ? { keyId: q.keyId } : {}),
            ...(q.projectId ? { projectId: q.projectId } : {}),
            ...(q.statusClass ? { statusClass: q.statusClass } : {}),
            ...(q.route !== undefined ? { route: q.route } : {}),
            ...(q.status !== undefined ? { status: q.status } : {}),
            ...(q.reason !== undefined ? { reason: q.reason } : {}),
          }
          expect(summed(await log.series(filter, q.bucketMs))).toEqual(
            expectedSeries(rows, filter, q.bucketMs),
          )
        }),
        { numRuns: 250, seed: 11 },
      )
    })

    it('answers per-key usage exactly as a scan does, from any instant', async () => {
      const log = activityLog(open.db)
      for (const since of [
        start - hour,
        start,
        start + 90_000,
        start + 5 * hour,
        start + halfDay - 1,
        start + halfDay,
        start + halfDay + 1,
        start + span / 2 + 1234,
        start + span,
      ]) {
        for (const accountId of ['acc-a', 'acc-b']) {
          const usage = (await log.usageByKey(accountId, since)).sort((a, b) =>
            a.keyId.localeCompare(b.keyId),
          )
          expect(usage).toEqual(expectedUsage(rows, accountId, since))
        }
      }
    })

    it("answers a key's usage per day, latency percentiles and top endpoints exactly as a scan does", async () => {
      const usage = keyUsageLog(open.db)
      const query = fc.record({
        fromHour: fc.integer({ min: -2, max: span / hour }),
        hours: fc.integer({ min: 0, max: span / hour + 2 }),
        keyId: fc.constantFrom('k-1', 'k-2', 'k-3'),
        limit: fc.integer({ min: 1, max: 10 }),
      })
      await fc.assert(
        fc.asyncProperty(query, async (q) => {
          const range = { from: start + q.fromHour * hour, to: start + (q.fromHour + q.hours) * hour }
          const days = (await usage.byDay(q.keyId, range)).sort((a, b) => a.day - b.day)
          expect(days).toEqual(expectedByDay(rows, q.keyId, range))
          const counts = Array.from({ length: latencyBucketCount }, (_, bucket) =>
            days.reduce((sum, d) => sum + (d.latencyCounts[bucket] ?? 0), 0),
          )
          const slowest = Math.max(0, ...days.map((d) => d.slowestMs))
          for (const percent of [50, 95, 99])
            expect(latencyPercentile(counts, slowest, percent)).toBe(
              expectedPercentile(rows, q.keyId, range, percent),
            )
          const top = await usage.topRoutes(q.keyId, range, q.limit)
          expectTopRoutes(top, expectedRoutes(rows, q.keyId, range), q.limit)
        }),
        { numRuns: 40, seed: 13 },
      )
    })

    it("migration 0011's backfill from the rows builds the same route rollup as the writes did", async () => {
      const snapshot = () =>
        open.db
          .selectFrom('activity_hourly_routes')
          .selectAll()
          .orderBy('key_id')
          .orderBy('hour')
          .orderBy('method')
          .orderBy('route')
          .execute()
      const written = await snapshot()
      expect(written.length).toBeGreaterThan(100)
      await open.db.schema.dropTable('activity_hourly_routes').execute()
      await activityHourlyUsage.up(open.db as Kysely<unknown>)
      expect(await snapshot()).toEqual(written)
    })

    it("migration 0022's backfill from the hourly rollups builds the same 12-hour ones as the writes did", async () => {
      const snapshot = async () => ({
        plain: await open.db
          .selectFrom('activity_half_day')
          .selectAll()
          .orderBy('account_id')
          .orderBy('half_day')
          .orderBy('key_id')
          .orderBy('status_class')
          .execute(),
        shapes: await open.db
          .selectFrom('activity_half_day_shapes')
          .selectAll()
          .orderBy('account_ref')
          .orderBy('half_day')
          .orderBy('key_ref')
          .orderBy('shape_ref')
          .orderBy('reason_code')
          .execute(),
      })
      const written = await snapshot()
      // Several spans, and more than one hour in most of them, so that the backfill really sums.
      expect(written.plain.length).toBeGreaterThan(20)
      expect(written.shapes.length).toBeGreaterThan(100)
      expect(new Set(written.plain.map((r) => Number(r.half_day) % halfDay))).toEqual(new Set([0]))
      const hourlyRows = await open.db.selectFrom('activity_hourly').select('hour').execute()
      expect(hourlyRows.length).toBeGreaterThan(written.plain.length)
      await open.db.schema.dropTable('activity_half_day').execute()
      await open.db.schema.dropTable('activity_half_day_shapes').execute()
      await activityHalfDay.up(open.db as Kysely<unknown>)
      expect(await snapshot()).toEqual(written)
    })

    it('drops the hours that retention removed, and stays exact after the cutoff', async () => {
      const store = activityStore(open.db, open.sqlite, open.activityWriter)
      const cutoff = start + span / 2 + 17
      const hours = () =>
        open.db
          .selectFrom('activity_hourly')
          .select('hour')
          .execute()
          .then((r) => r.map((h) => Number(h.hour)))
      expect((await hours()).some((h) => h + hour <= cutoff)).toBe(true)
      await store.deleteBefore(cutoff)
      const kept = rows.filter((r) => r.at >= cutoff)
      // Hours that ended before the cutoff are gone; the hour it falls in stays.
      expect((await hours()).filter((h) => h + hour <= cutoff)).toEqual([])
      expect(await hours()).toContain(Math.floor(cutoff / hour) * hour)
      const log = activityLog(open.db)
      expect((await log.usageByKey('acc-a', cutoff)).sort((a, b) => a.keyId.localeCompare(b.keyId))).toEqual(
        expectedUsage(kept, 'acc-a', cutoff),
      )
      const filter = { accountId: 'acc-a', from: cutoff, to: start + span }
      expect(summed(await log.series(filter, hour))).toEqual(expectedSeries(kept, filter, hour))
      const spans = await open.db.selectFrom('activity_half_day').select('half_day').execute()
      const shapeSpans = await open.db.selectFrom('activity_half_day_shapes').select('half_day').execute()
      for (const kept of [spans, shapeSpans]) {
        // Spans that ended before the cutoff are gone; the span it falls in stays.
        expect(kept.map((h) => Number(h.half_day)).filter((h) => h + halfDay <= cutoff)).toEqual([])
        expect(kept.map((h) => Number(h.half_day))).toContain(Math.floor(cutoff / halfDay) * halfDay)
      }
      for (const bucketMs of [halfDay, 24 * hour]) {
        const wide = { accountId: 'acc-a', from: cutoff, to: start + span }
        expect(summed(await log.series(wide, bucketMs))).toEqual(expectedSeries(kept, wide, bucketMs))
        const filtered = { ...wide, reason: 'missing_scope' as const }
        expect(summed(await log.series(filtered, bucketMs))).toEqual(expectedSeries(kept, filtered, bucketMs))
      }
      const routeHours = await open.db.selectFrom('activity_hourly_routes').select('hour').execute()
      expect(routeHours.map((h) => Number(h.hour)).filter((h) => h + hour <= cutoff)).toEqual([])
      const range = { from: Math.ceil(cutoff / hour) * hour, to: start + span + hour }
      expect((await keyUsageLog(open.db).byDay('k-1', range)).sort((a, b) => a.day - b.day)).toEqual(
        expectedByDay(kept, 'k-1', range),
      )
    })

    it('answers the filtered chart of whole hours from the shape rollup, not from the rows', async () => {
      const log = activityLog(open.db)
      const whole = { from: start + span / 2 + hour, to: start + span - 1 }
      const filters: ActivityFilter[] = [
        { accountId: 'acc-a', ...whole, reason: 'missing_scope' },
        { accountId: 'acc-a', ...whole, route: '/projects/:projectId/webhooks', keyId: 'k-1' },
        { accountId: 'acc-a', ...whole, status: 503, projectId: 'p-2' },
      ]
      const before = await Promise.all(filters.map((f) => log.series(f, 3 * hour)))
      expect(before.some((points) => points.length > 0)).toBe(true)
      // With the rows gone, a chart that counted them would come out empty.
      await open.db.deleteFrom('activity_log').execute()
      const after = await Promise.all(filters.map((f) => log.series(f, 3 * hour)))
      expect(after.map(summed)).toEqual(before.map(summed))
    })

    it('answers the 30-day chart and per-key usage of whole 12-hour spans from the 12-hour rollups alone', async () => {
      const log = activityLog(open.db)
      // Two whole spans after the retention test's cutoff; the rows are gone already (the test above).
      const whole = { from: start + 4 * halfDay, to: start + 6 * halfDay - 1 }
      const filters: ActivityFilter[] = [
        { accountId: 'acc-a', ...whole },
        { accountId: 'acc-a', ...whole, keyId: 'k-2', statusClass: '4xx' },
        { accountId: 'acc-a', ...whole, reason: 'missing_scope' },
        { accountId: 'acc-a', ...whole, route: '/projects/:projectId/webhooks', keyId: 'k-1' },
        { accountId: 'acc-a', ...whole, status: 503, projectId: 'p-2' },
        { accountId: 'acc-b', ...whole },
      ]
      const since = start + 4 * halfDay
      // With the hourly rollups of those spans gone too, a chart that read them would come out empty.
      for (const table of ['activity_hourly', 'activity_hourly_shapes'] as const)
        await open.db.deleteFrom(table).where('hour', '>=', since).execute()
      for (const filter of filters)
        for (const bucketMs of [halfDay, 24 * hour])
          expect(summed(await log.series(filter, bucketMs))).toEqual(expectedSeries(rows, filter, bucketMs))
      expect(expectedSeries(rows, filters[0] as ActivityFilter, halfDay).length).toBeGreaterThan(4)
      for (const accountId of ['acc-a', 'acc-b'])
        expect(
          (await log.usageByKey(accountId, since)).sort((a, b) => a.keyId.localeCompare(b.keyId)),
        ).toEqual(expectedUsage(rows, accountId, since))
    })
  },
)
