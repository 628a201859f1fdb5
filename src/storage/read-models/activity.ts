import { type ExpressionBuilder, type Kysely, sql } from 'kysely'
import { activityReasons } from '../../core/activity-reason.ts'
import {
  type ActivityFilter,
  type ActivityLog,
  type KeyUsageData,
  needsShapeRollup,
  type StatusClass,
} from '../../core/read-models/ports.ts'
import { encodeReason } from '../activity-codec.js'
import type { KeywardTables } from '../schema.ts'
import { hourMs } from '../stores/activity-hourly.ts'
import { matching } from './activity-filter.ts'
import { activityRows } from './activity-rows.ts'

const statusClassOf = sql<StatusClass>`case when s.status = 429 then '429' when s.status >= 500 then '5xx' when s.status >= 400 then '4xx' else '2xx' end`

/**
 * A time range cut where the hourly rollup can answer: the whole hours inside it (`hours`, end exclusive) and the
 * ragged ends before and after them (`edges`, ends inclusive, like the filter), which are read from raw rows.
 */
function splitAtHours(from: number, to: number) {
  const first = Math.ceil(from / hourMs) * hourMs
  const end = Math.floor((to + 1) / hourMs) * hourMs
  if (first >= end) return { hours: null, edges: [[from, to]] }
  const edges: [number, number][] = []
  if (from < first) edges.push([from, first - 1])
  if (end <= to) edges.push([end, to])
  return { hours: [first, end] as const, edges }
}

function hoursMatching(
  eb: ExpressionBuilder<KeywardTables, 'activity_hourly'>,
  filter: Omit<ActivityFilter, 'from' | 'to'>,
  [first, end]: readonly [number, number],
) {
  return eb.and([
    eb('activity_hourly.account_id', '=', filter.accountId),
    eb('activity_hourly.hour', '>=', first),
    eb('activity_hourly.hour', '<', end),
    ...(filter.keyId ? [eb('activity_hourly.key_id', '=', filter.keyId)] : []),
    ...(filter.projectId ? [eb('activity_hourly.project_id', '=', filter.projectId)] : []),
    ...(filter.statusClass ? [eb('activity_hourly.status_class', '=', filter.statusClass)] : []),
  ])
}

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

  /** The same from the rollup, for whole hours and buckets that are whole hours. */
  async function hourSeries(filter: ActivityFilter, hours: readonly [number, number], bucketMs: number) {
    const size = sql.lit(Math.trunc(bucketMs))
    const bucket = sql<number>`(activity_hourly.hour / ${size}) * ${size}`
    const rows = await db
      .selectFrom('activity_hourly')
      .select((eb) => [
        bucket.as('start'),
        'activity_hourly.status_class',
        eb.fn.sum<number | string>('activity_hourly.requests').as('n'),
      ])
      .where((eb) => hoursMatching(eb, filter, hours))
      .groupBy([bucket, 'activity_hourly.status_class'])
      .execute()
    return rows.map((r) => ({
      start: Number(r.start),
      statusClass: r.status_class as StatusClass,
      count: Number(r.n),
    }))
  }

  /**
   * The same from the shape rollup (migration 0021), for filters by endpoint or tool, exact status or reason: by
   * account and hour through its primary key, the shapes that match joined.
   */
  async function shapeHourSeries(
    filter: ActivityFilter,
    [first, end]: readonly [number, number],
    bucketMs: number,
  ) {
    const size = sql.lit(Math.trunc(bucketMs))
    const bucket = sql<number>`(h.hour / ${size}) * ${size}`
    const nameId = (name: string) =>
      db.selectFrom('activity_names').select('activity_names.id').where('activity_names.name', '=', name)
    const rows = await db
      .selectFrom('activity_hourly_shapes as h')
      .innerJoin('activity_shapes as s', 's.id', 'h.shape_ref')
      .select((eb) => [
        bucket.as('start'),
        statusClassOf.as('status_class'),
        eb.fn.sum<number | string>('h.requests').as('n'),
      ])
      .where('h.account_ref', '=', nameId(filter.accountId))
      .where('h.hour', '>=', first)
      .where('h.hour', '<', end)
      .$if(filter.keyId !== undefined, (q) => q.where('h.key_ref', '=', nameId(filter.keyId ?? '')))
      .$if(filter.projectId !== undefined, (q) =>
        q.where('h.project_ref', '=', nameId(filter.projectId ?? '')),
      )
      .$if(filter.statusClass !== undefined, (q) =>
        q.where(sql<boolean>`${statusClassOf} = ${filter.statusClass ?? ''}`),
      )
      .$if(filter.route !== undefined, (q) => q.where('s.route', '=', filter.route ?? ''))
      .$if(filter.status !== undefined, (q) => q.where('s.status', '=', filter.status ?? 0))
      .$if(filter.reason !== undefined, (q) =>
        q.where('h.reason_code', '=', encodeReason(activityReasons, filter.reason ?? null)),
      )
      .groupBy([bucket, statusClassOf])
      .execute()
    return rows.map((r) => ({ start: Number(r.start), statusClass: r.status_class, count: Number(r.n) }))
  }

  return {
    ...activityRows(db),
    async series(filter, bucketMs) {
      const { hours, edges } = splitAtHours(filter.from, filter.to)
      if (!hours || bucketMs % hourMs !== 0) return rowSeries(filter, bucketMs)
      const parts = await Promise.all([
        needsShapeRollup(filter)
          ? shapeHourSeries(filter, hours, bucketMs)
          : hourSeries(filter, hours, bucketMs),
        ...edges.map(([from, to]) => rowSeries({ ...filter, from, to }, bucketMs)),
      ])
      return parts.flat()
    },
    async usageByKey(accountId, since) {
      // Whole hours from the rollup, up to now; the first, partial hour from rows.
      const first = Math.ceil(since / hourMs) * hourMs
      const hours = [first, Number.MAX_SAFE_INTEGER] as const
      const edges: [number, number][] = since < first ? [[since, first - 1]] : []
      const errors = sql<number | string>`sum(case when status_class = '2xx' then 0 else requests end)`
      const fromHours = await db
        .selectFrom('activity_hourly')
        .select((eb) => [
          'key_id',
          eb.fn.sum<number | string>('requests').as('requests'),
          errors.as('errors'),
          eb.fn.max('last_at').as('last_at'),
        ])
        .where((eb) => hoursMatching(eb, { accountId }, hours))
        .groupBy('key_id')
        .execute()
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
      for (const r of [...fromHours, ...fromRows.flat()]) {
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
