import type { Kysely } from 'kysely'

/**
 * Leaked-key reports (issue 16 §1–2).
 *
 * `api_keys.exposed_at` / `exposed_url`: when a key was first reported as leaked, and where; the key's derived
 * status is then `exposed` (revoked or merely flagged, by the account's leak response).
 *
 * `key_exposures` is the durable queue between acknowledging a report (GitHub's partner endpoint, `keyward scan
 * --report`) and acting on it: a row is written before the reporter gets its answer, and a worker on any node claims
 * it by moving `lease_until` forward, revokes or flags the key, records History, and sets `processed_at`. A node that
 * dies mid-way leaves a lapsed lease, which the next poll of any node takes over. Rows are kept as the record of
 * every report (which key, where, by whom, what was done); they hold no token, only the key's id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('exposed_at', 'bigint').execute()
  await db.schema.alterTable('api_keys').addColumn('exposed_url', 'text').execute()
  await db.schema
    .createTable('key_exposures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
    .addColumn('reporter', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('source', 'text')
    .addColumn('reported_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('response', 'text')
    .addColumn('processed_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('key_exposures_pending')
    .on('key_exposures')
    .columns(['processed_at', 'lease_until'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('key_exposures').execute()
  await db.schema.alterTable('api_keys').dropColumn('exposed_url').execute()
  await db.schema.alterTable('api_keys').dropColumn('exposed_at').execute()
}
