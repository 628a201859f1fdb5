import { type Kysely, sql } from 'kysely'
import { latencyBoundsMs, latencyBucketOf } from '../../core/latency-histogram.ts'
import type { KeywardTables, LatencyColumn } from '../schema.ts'
import { hourMs } from './activity-hourly.ts'

type ActivityRow = Pick<
  KeywardTables['activity'],
  'at' | 'account_id' | 'project_id' | 'key_id' | 'method' | 'route' | 'status' | 'latency_ms'
>

/** The histogram's columns, bucket by bucket (migration 0011 created them from the same bounds). */
export const latencyColumns: readonly LatencyColumn[] = [
  ...latencyBoundsMs.map((bound): LatencyColumn => `latency_le_${String(bound).replace('.', '_')}ms`),
  `latency_over_${latencyBoundsMs.at(-1)}ms`,
]

/** One row's worth of the rollup, as the schema declares it. */
export type RouteIncrement = KeywardTables['activity_hourly_routes']

const routeLength = 100

/**
 * The route as the rollup keys it: '' when no route matched (a primary key cannot hold null), and an MCP tool name
 * that a client made up cut to 100 characters, counted in code points as SQL's substr counts them.
 */
export function routeKeyOf(route: string | null): string {
  if (route === null) return ''
  return route.length <= routeLength ? route : Array.from(route).slice(0, routeLength).join('')
}

/**
 * What a batch of activity rows adds to the per-key route rollup (migration 0011): one increment per key, hour,
 * method and route, so that a batch touches each rollup row once. Rows without an identified key are left out.
 */
export function routeIncrements(rows: readonly ActivityRow[]): RouteIncrement[] {
  const increments = new Map<string, RouteIncrement>()
  for (const row of rows) {
    if (row.account_id === null || row.key_id === null || row.project_id === null) continue
    const hour = Math.floor(row.at / hourMs) * hourMs
    const route = routeKeyOf(row.route)
    const id = `${row.key_id}\u0000${hour}\u0000${row.method}\u0000${route}`
    let increment = increments.get(id)
    if (!increment) {
      increment = {
        key_id: row.key_id,
        hour,
        method: row.method,
        route,
        requests: 0,
        errors: 0,
        last_at: row.at,
        latency_max_ms: row.latency_ms,
      }
      for (const column of latencyColumns) increment[column] = 0
      increments.set(id, increment)
    }
    increment.requests++
    if (row.status >= 400) increment.errors++
    increment.last_at = Math.max(increment.last_at, row.at)
    increment.latency_max_ms = Math.max(increment.latency_max_ms, row.latency_ms)
    const column = latencyColumns[latencyBucketOf(row.latency_ms)] as LatencyColumn
    increment[column] = (increment[column] ?? 0) + 1
  }
  return [...increments.values()]
}

const keyColumns = ['key_id', 'hour', 'method', 'route']
const summedColumns = ['requests', 'errors', ...latencyColumns]
const columns = [...keyColumns, ...summedColumns, 'last_at', 'latency_max_ms']

/** SQLite's upsert of one increment (prepared by the in-process store and by the writer thread). */
export const sqliteRouteUpsertSql = `insert into activity_hourly_routes (${columns.join(', ')})
  values (${columns.map((c) => `@${c}`).join(', ')})
  on conflict (${keyColumns.join(', ')}) do update set
    ${summedColumns.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
    last_at = max(last_at, excluded.last_at), latency_max_ms = max(latency_max_ms, excluded.latency_max_ms)`

/** Rollup hours that end at or before the cutoff go with their rows. */
export const routePruneSql = `delete from activity_hourly_routes where hour <= ? - ${hourMs}`

/** Postgres: a batch's increments, 1,000 to a statement (32 parameters each, under its limit of 65,535). */
export async function upsertRoutes(db: Kysely<KeywardTables>, increments: RouteIncrement[]): Promise<void> {
  const table = sql.table('activity_hourly_routes')
  const added = Object.fromEntries(
    summedColumns.map((c) => [c, sql`${table}.${sql.ref(c)} + excluded.${sql.ref(c)}`]),
  )
  for (let i = 0; i < increments.length; i += 1000) {
    await db
      .insertInto('activity_hourly_routes')
      .values(increments.slice(i, i + 1000))
      .onConflict((oc) =>
        oc.columns(['key_id', 'hour', 'method', 'route']).doUpdateSet({
          ...added,
          last_at: sql`greatest(${table}.last_at, excluded.last_at)`,
          latency_max_ms: sql`greatest(${table}.latency_max_ms, excluded.latency_max_ms)`,
        }),
      )
      .execute()
  }
}
