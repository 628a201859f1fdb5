import { type Kysely, sql } from 'kysely'

const halfDayMs = 43_200_000

/**
 * Agent Activity's 12-hour rollups, beside the hourly ones: at 10 M rows a 30-day chart or per-key usage summed about
 * 57,600 hourly rows (720 hours × keys × status classes, more by shape) and missed p99 ≤ 100 ms at 10 callers. A
 * 30-day chart uses 12-hour buckets (bucketFor), so whole 12-hour spans are read from these, 12× fewer rows, and only
 * the hours and rows at the ragged ends from the finer tables. Spans start at multiples of 12 h since the epoch (UTC
 * midnight and noon). Filled here from the hourly tables, then kept by the writers in the same transactions.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('activity_half_day')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('half_day', 'bigint', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('status_class', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('activity_half_day_pk', ['account_id', 'half_day', 'key_id', 'status_class'])
    .execute()
  await sql`create table activity_half_day_shapes (account_ref integer not null, half_day bigint not null,
    key_ref integer not null, shape_ref integer not null, reason_code integer not null, project_ref integer not null,
    requests bigint not null,
    constraint activity_half_day_shapes_pk primary key (account_ref, half_day, key_ref, shape_ref, reason_code))`.execute(
    db,
  )
  await sql`create index activity_half_day_shapes_half_day on activity_half_day_shapes (half_day)`.execute(db)
  await fillHalfDays(db)
}

/** Sums the hourly rollups into the 12-hour ones (also used by bench/activity-bulk.ts after its generated load). */
export async function fillHalfDays(db: Kysely<unknown>): Promise<void> {
  const span = sql.raw(`(hour / ${halfDayMs}) * ${halfDayMs}`)
  await sql`insert into activity_half_day (account_id, half_day, key_id, status_class, project_id, requests, last_at)
    select account_id, ${span}, key_id, status_class, max(project_id), sum(requests), max(last_at)
    from activity_hourly
    group by account_id, ${span}, key_id, status_class`.execute(db)
  await sql`insert into activity_half_day_shapes (account_ref, half_day, key_ref, shape_ref, reason_code, project_ref,
      requests)
    select account_ref, ${span}, key_ref, shape_ref, reason_code, max(project_ref), sum(requests)
    from activity_hourly_shapes
    group by account_ref, ${span}, key_ref, shape_ref, reason_code`.execute(db)
}
