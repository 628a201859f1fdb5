import { type Kysely, sql } from 'kysely'
import type { ActivityFilter, ActivityLog, KeyUsageData, StatusClass } from '../../core/read-models/ports.ts'
import { halfDayMs } from '../activity-sqlite.js'
import type { KeywardTables } from '../schema.ts'
import { hourMs } from '../stores/activity-hourly.ts'
import { matching } from './activity-filter.ts'
import {
  plainRollup,
  type RollupSpan,
  rollupSeries,
  type SeriesPoint,
  spansFor,
  splitAt,
} from './activity-rollups.ts'
import { activityRows } from './activity-rows.ts'

const statusClassOf = sql<StatusClass>`case when s.status = 429 then '429' when s.status >= 500 then '5xx' when s.status >= 400 then '4xx' else '2xx' end`

export function activityLog(db: Kysely<KeywardTables>): ActivityLog {
  /** Counts per bucket and status class from raw rows (any bucket size). */
  async function rowSeries(filter: ActivityFilter, bucketMs: number) {
    // A literal, not a parameter: Postgres must see the select and the group by as the same expression.
    const size = sql.lit(Math.trunc(bucketMs))
    const bucket = sql<number>`(l.id / 1048576 / ${size}) * ${size}`
    const rows = await db
      .selectFrom('activity_log as l')
      .innerJoin('activity_shapes as s', 's.id', 'l.shape_ref')
      .select((eb) => [
        bucket.as('start'),
        statusClassOf.as('status_class'),
        eb.fn.countAll<number | string>().as('n'),
      ])
      .where((eb) => matching(eb, filter))
      .groupBy([bucket, statusClassOf])
      .execute()
    return rows.map((r) => ({ start: Number(r.start), statusClass: r.status_class, count: Number(r.n) }))
  }

  /**
   * Counts from the coarsest rollup that has whole spans in the range (`spans`, coarsest first), the ragged ends
   * from the next finer one, and what no rollup covers from rows. The parts' points may share a bucket: callers sum.
   */
  async function seriesFrom(
    filter: ActivityFilter,
    bucketMs: number,
    spans: RollupSpan[],
  ): Promise<SeriesPoint[]> {
    const [span, ...finer] = spans
    if (span === undefined) return rowSeries(filter, bucketMs)
    const { whole, edges } = splitAt(filter.from, filter.to, span)
    if (!whole) return seriesFrom(filter, bucketMs, finer)
    const parts = await Promise.all([
      rollupSeries(db, filter, whole, bucketMs, span),
      ...edges.map(([from, to]) => seriesFrom({ ...filter, from, to }, bucketMs, finer)),
    ])
    return parts.flat()
  }

  return {
    ...activityRows(db),
    series: (filter, bucketMs) => seriesFrom(filter, bucketMs, spansFor(bucketMs)),
    async usageByKey(accountId, since) {
      // Whole 12-hour spans from their rollup, up to now; the hours before the first from the hourly one; the
      // first, partial hour from rows.
      const firstHour = Math.ceil(since / hourMs) * hourMs
      const firstHalfDay = Math.ceil(since / halfDayMs) * halfDayMs
      const edges: [number, number][] = since < firstHour ? [[since, firstHour - 1]] : []
      const rollupParts: [readonly [number, number], RollupSpan][] = [
        [[firstHalfDay, Number.MAX_SAFE_INTEGER], halfDayMs],
      ]
      if (firstHour < firstHalfDay) rollupParts.push([[firstHour, firstHalfDay], hourMs])
      const errors = sql<number | string>`sum(case when r.status_class = '2xx' then 0 else r.requests end)`
      const fromRollups = await Promise.all(
        rollupParts.map(([whole, span]) =>
          plainRollup(db, { accountId }, whole, span)
            .select((eb) => [
              'r.key_id',
              eb.fn.sum<number | string>('r.requests').as('requests'),
              errors.as('errors'),
              eb.fn.max('r.last_at').as('last_at'),
            ])
            .groupBy('r.key_id')
            .execute(),
        ),
      )
      const fromRows = await Promise.all(
        edges.map(([from, to]) =>
          db
            .selectFrom('activity_log as l')
            .innerJoin('activity_shapes as s', 's.id', 'l.shape_ref')
            .innerJoin('activity_names as key', 'key.id', 'l.key_ref')
            .select((eb) => [
              'key.name as key_id',
              eb.fn.countAll<number | string>().as('requests'),
              eb.fn.sum<number | string>(sql`case when s.status >= 400 then 1 else 0 end`).as('errors'),
              sql<number>`max(l.id) / 1048576`.as('last_at'),
            ])
            .where((eb) => matching(eb, { accountId, from, to }))
            .where('l.key_ref', '<>', 0)
            .groupBy('key.name')
            .execute(),
        ),
      )
      const byKey = new Map<string, KeyUsageData>()
      for (const r of [...fromRollups.flat(), ...fromRows.flat()]) {
        const keyId = r.key_id as string
        const usage = byKey.get(keyId) ?? { keyId, requests: 0, errors: 0, lastAt: 0 }
        usage.requests += Number(r.requests)
        usage.errors += Number(r.errors)
        usage.lastAt = Math.max(usage.lastAt, Number(r.last_at))
        byKey.set(keyId, usage)
      }
      return [...byKey.values()]
    },
  }
}
