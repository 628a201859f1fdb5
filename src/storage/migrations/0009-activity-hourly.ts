import { type Kysely, sql } from 'kysely'

/**
 * Agent Activity's hourly rollup: requests per account, hour, key and status class, kept by the activity writer in
 * the transaction that inserts the rows. The chart and per-key usage read it instead of scanning raw rows (at 3 M
 * rows those scans took 10 s). Only rows with an identified key have an account, so only those are rolled up.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('activity_hourly')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'bigint', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('status_class', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('activity_hourly_pk', ['account_id', 'hour', 'key_id', 'status_class'])
    .execute()
  await sql`insert into activity_hourly (account_id, hour, key_id, status_class, project_id, requests, last_at)
    select account_id, (at / 3600000) * 3600000, key_id,
      case when status = 429 then '429' when status >= 500 then '5xx' when status >= 400 then '4xx' else '2xx' end,
      max(project_id), count(*), max(at)
    from activity
    where account_id is not null and key_id is not null and project_id is not null
    group by 1, 2, 3, 4`.execute(db)
}
