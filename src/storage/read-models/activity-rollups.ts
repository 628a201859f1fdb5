import { type Kysely, sql } from 'kysely'
import { activityReasons } from '../../core/activity-reason.ts'
import { type ActivityFilter, needsShapeRollup, type StatusClass } from '../../core/read-models/ports.ts'
import { encodeReason } from '../activity-codec.js'
import { halfDayMs } from '../activity-sqlite.js'
import type { KeywardTables } from '../schema.ts'
import { hourMs } from '../stores/activity-hourly.ts'

/**
 * The rollups by span: hourly (migrations 0009 and 0021) and 12-hourly (0022). The pairs have the same columns but
 * for the span's start (`hour`, `half_day`), so one query reads either: the table is named under the hourly one's
 * type and the start column is referenced by name.
 */
const hourly = { plain: 'activity_hourly', shapes: 'activity_hourly_shapes', start: 'hour' } as const
const halfDaily = {
  plain: 'activity_half_day',
  shapes: 'activity_half_day_shapes',
  start: 'half_day',
} as const

/** A rollup's span in ms: `hourMs` or `halfDayMs`. */
export type RollupSpan = number

const rollupOf = (span: RollupSpan) => (span === halfDayMs ? halfDaily : hourly)

/**
 * The spans a range can be read from, coarsest first, for buckets of this size: a bucket must be a whole number of
 * spans, or a span would straddle two buckets. Raw rows answer what is left.
 */
export function spansFor(bucketMs: number): RollupSpan[] {
  if (bucketMs % halfDayMs === 0) return [halfDayMs, hourMs]
  if (bucketMs % hourMs === 0) return [hourMs]
  return []
}

/**
 * A time range cut where a rollup of this span can answer: the whole spans inside it (`whole`, end exclusive) and the
 * ragged ends before and after them (`edges`, ends inclusive, like the filter), left to finer rollups or rows.
 */
export function splitAt(from: number, to: number, span: number) {
  const first = Math.ceil(from / span) * span
  const end = Math.floor((to + 1) / span) * span
  if (first >= end) return { whole: null, edges: [[from, to]] as [number, number][] }
  const edges: [number, number][] = []
  if (from < first) edges.push([from, first - 1])
  if (end <= to) edges.push([end, to])
  return { whole: [first, end] as const, edges }
}

const statusClassOf = sql<StatusClass>`case when s.status = 429 then '429' when s.status >= 500 then '5xx' when s.status >= 400 then '4xx' else '2xx' end`

export interface SeriesPoint {
  start: number
  statusClass: StatusClass
  count: number
}

/** Counts per bucket and status class from a rollup of this span, for whole spans [first, end). */
export function rollupSeries(
  db: Kysely<KeywardTables>,
  filter: ActivityFilter,
  whole: readonly [number, number],
  bucketMs: number,
  span: RollupSpan,
): Promise<SeriesPoint[]> {
  return needsShapeRollup(filter)
    ? shapeSeries(db, filter, whole, bucketMs, span)
    : plainSeries(db, filter, whole, bucketMs, span)
}

/** Rows of the plain rollup (by key and status class) of this span for an account and whole spans. */
export function plainRollup(
  db: Kysely<KeywardTables>,
  filter: Omit<ActivityFilter, 'from' | 'to'>,
  [first, end]: readonly [number, number],
  span: RollupSpan,
) {
  const { plain, start } = rollupOf(span)
  const startRef = sql.ref(`r.${start}`)
  return db
    .selectFrom(`${plain} as r` as 'activity_hourly as r')
    .where('r.account_id', '=', filter.accountId)
    .where(sql<boolean>`${startRef} >= ${first}`)
    .where(sql<boolean>`${startRef} < ${end}`)
    .$if(filter.keyId !== undefined, (q) => q.where('r.key_id', '=', filter.keyId ?? ''))
    .$if(filter.projectId !== undefined, (q) => q.where('r.project_id', '=', filter.projectId ?? ''))
    .$if(filter.statusClass !== undefined, (q) => q.where('r.status_class', '=', filter.statusClass ?? '2xx'))
}

async function plainSeries(
  db: Kysely<KeywardTables>,
  filter: ActivityFilter,
  whole: readonly [number, number],
  bucketMs: number,
  span: RollupSpan,
) {
  // A literal, not a parameter: Postgres must see the select and the group by as the same expression.
  const size = sql.lit(Math.trunc(bucketMs))
  const bucket = sql<number>`(${sql.ref(`r.${rollupOf(span).start}`)} / ${size}) * ${size}`
  const rows = await plainRollup(db, filter, whole, span)
    .select((eb) => [bucket.as('start'), 'r.status_class', eb.fn.sum<number | string>('r.requests').as('n')])
    .groupBy([bucket, 'r.status_class'])
    .execute()
  return rows.map((r) => ({
    start: Number(r.start),
    statusClass: r.status_class as StatusClass,
    count: Number(r.n),
  }))
}

/**
 * The same from the shape rollup, for filters by endpoint or tool, exact status or reason: by account and span
 * through its primary key, the shapes that match joined.
 */
async function shapeSeries(
  db: Kysely<KeywardTables>,
  filter: ActivityFilter,
  [first, end]: readonly [number, number],
  bucketMs: number,
  span: RollupSpan,
) {
  const { shapes, start } = rollupOf(span)
  const startRef = sql.ref(`h.${start}`)
  const size = sql.lit(Math.trunc(bucketMs))
  const bucket = sql<number>`(${startRef} / ${size}) * ${size}`
  const nameId = (name: string) =>
    db.selectFrom('activity_names').select('activity_names.id').where('activity_names.name', '=', name)
  const rows = await db
    .selectFrom(`${shapes} as h` as 'activity_hourly_shapes as h')
    .innerJoin('activity_shapes as s', 's.id', 'h.shape_ref')
    .select((eb) => [
      bucket.as('start'),
      statusClassOf.as('status_class'),
      eb.fn.sum<number | string>('h.requests').as('n'),
    ])
    .where('h.account_ref', '=', nameId(filter.accountId))
    .where(sql<boolean>`${startRef} >= ${first}`)
    .where(sql<boolean>`${startRef} < ${end}`)
    .$if(filter.keyId !== undefined, (q) => q.where('h.key_ref', '=', nameId(filter.keyId ?? '')))
    .$if(filter.projectId !== undefined, (q) => q.where('h.project_ref', '=', nameId(filter.projectId ?? '')))
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
