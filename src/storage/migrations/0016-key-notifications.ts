import type { Kysely } from 'kysely'
import { databaseKind } from '../dialect.ts'

/**
 * Key lifecycle notifications (issue 15 §4).
 *
 * `key_event_outbox`: one row per `key.created|rotated|revoked|exposed` management event, written by the event store
 * in the transaction of the change, holding the event itself. A relay turns each row into webhook deliveries (and
 * mails) and deletes it in one transaction; the delete is the claim, so every event is relayed exactly once however
 * many nodes relay. A cursor over management_events would skip events that commit out of order (see 0013).
 *
 * `key_notices`: the notices the lifecycle job has sent (expiring_30, expiring_7, expiring_1, expired), one per key,
 * kind and expiry: inserting the row is what allows sending, so a restart or a second node never sends one twice,
 * and a key whose expiry is moved gets notices for its new date.
 *
 * `mail_outbox`: one email per recipient, retried with backoff until sent or out of attempts; `next_attempt_at` is
 * moved to a lease while a node sends it, as webhook deliveries do.
 *
 * `job_leases`: which node runs a periodic job (the lifecycle job) until when.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = databaseKind(db) === 'postgres'
  await db.schema
    .createTable('key_event_outbox')
    .addColumn('seq', pg ? 'bigserial' : 'integer', (c) =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('key_notices')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('key_notices_pk', ['key_id', 'kind', 'expires_at'])
    .execute()

  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('mail_outbox_due')
    .on('mail_outbox')
    .columns(['state', 'next_attempt_at'])
    .execute()

  await db.schema
    .createTable('job_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text')
    .addColumn('until', 'bigint', (c) => c.notNull())
    .execute()
  await db
    .insertInto('job_leases' as never)
    .values({ name: 'lifecycle', holder: null, until: 0 } as never)
    .execute()
}
