import { type Kysely, sql } from 'kysely'
import { databaseKind } from '../dialect.ts'

/**
 * The bounds of the latency histogram as this migration created its columns (src/core/latency-histogram.ts holds
 * the live copy; a migration stays as it was written).
 */
const boundsMs = [
  0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000, 30000,
]
const latencyColumns = [
  ...boundsMs.map((bound) => `latency_le_${String(bound).replace('.', '_')}ms`),
  `latency_over_${boundsMs.at(-1)}ms`,
]

/**
 * A key's usage by hour and endpoint (method and route pattern or MCP tool; '' when no route matched, long names cut
 * to 100 characters so that they fit an index entry): requests, errors (status ≥ 400), the latest request, and a
 * latency histogram with the slowest latency. The key drawer's Usage tab reads it for 30 days without scanning raw
 * rows. Keyed by key first, as every read is for one key; by hour for the retention's deletes. Rows without an
 * identified key, account and project are not rolled up (as in activity_hourly).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const float = databaseKind(db) === 'postgres' ? sql`double precision` : sql`real`
  let table = db.schema
    .createTable('activity_hourly_routes')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'bigint', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addColumn('errors', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addColumn('latency_max_ms', float, (c) => c.notNull())
  for (const column of latencyColumns) table = table.addColumn(column, 'bigint', (c) => c.notNull())
  await table
    .addPrimaryKeyConstraint('activity_hourly_routes_pk', ['key_id', 'hour', 'method', 'route'])
    .execute()
  await db.schema
    .createIndex('activity_hourly_routes_hour')
    .on('activity_hourly_routes')
    .column('hour')
    .execute()

  const bucket = sql.raw(
    `case ${boundsMs.map((bound, i) => `when latency_ms <= ${bound} then ${i}`).join(' ')} else ${boundsMs.length} end`,
  )
  const counts = sql.raw(
    latencyColumns.map((_, i) => `sum(case when bucket = ${i} then 1 else 0 end)`).join(', '),
  )
  await sql`insert into activity_hourly_routes (key_id, hour, method, route, requests, errors, last_at,
      latency_max_ms, ${sql.raw(latencyColumns.join(', '))})
    select key_id, hour, method, route, count(*), sum(case when status >= 400 then 1 else 0 end), max(at),
      max(latency_ms), ${counts}
    from (
      select key_id, (at / 3600000) * 3600000 as hour, method, coalesce(substr(route, 1, 100), '') as route, status,
        at, latency_ms, ${bucket} as bucket
      from activity
      where account_id is not null and key_id is not null and project_id is not null
    ) as keyed
    group by key_id, hour, method, route`.execute(db)
}
