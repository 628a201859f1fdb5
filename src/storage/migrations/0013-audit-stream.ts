import { type Kysely, sql } from 'kysely'
import { databaseKind } from '../dialect.ts'

/**
 * The audit stream's outbox, its delivery lease, and a door in management history's append-only guard for the
 * retention job.
 *
 * `audit_outbox` holds, only while KEYWARD_AUDIT_STREAM_URL is set, one line per activity row and management event,
 * written in the same transaction as the row itself: a row that commits is streamed, one that rolls back never is.
 * `seq` orders them as they were written; a delivered line is deleted.
 *
 * `audit_stream_lease` is one row: the node that streams (the others wait), and until when. One sender at a time
 * keeps the stream in order; a lease that runs out (a node killed mid-send) passes to the next node.
 *
 * `management_events` refuses UPDATE and DELETE (0001). A delete is now allowed only for events older than the cutoff
 * in `management_events_prune`, a row the retention job writes and removes within its own transaction: other
 * connections never see it, so the guard stands for everyone else.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = databaseKind(db) === 'postgres'
  await db.schema
    .createTable('audit_outbox')
    .addColumn('seq', pg ? 'bigserial' : 'integer', (c) =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('audit_stream_lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text')
    .addColumn('until', 'bigint', (c) => c.notNull())
    .execute()
  await db
    .insertInto('audit_stream_lease' as never)
    .values({ name: 'stream', holder: null, until: 0 } as never)
    .execute()

  await db.schema
    .createTable('management_events_prune')
    .addColumn('before', 'bigint', (c) => c.notNull())
    .execute()
  if (pg) {
    await sql`create or replace function management_events_append_only() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and exists (select 1 from management_events_prune p where old.created_at < p.before) then
          return old;
        end if;
        raise exception 'management_events is append-only';
      end $$`.execute(db)
    return
  }
  await sql`drop trigger management_events_no_delete`.execute(db)
  await sql`create trigger management_events_no_delete before delete on management_events
    when not exists (select 1 from management_events_prune p where old.created_at < p.before)
    begin select raise(abort, 'management_events is append-only'); end`.execute(db)
}
