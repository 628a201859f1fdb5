import type { Kysely } from 'kysely'

/**
 * Key rotation (issue 15 §1): a key keeps at most two live secrets. `previous_key_hash` is the secret it had before
 * its last rotation, accepted until `previous_valid_until` (exclusive); `rotated_at` is when that rotation happened.
 * The unique index serves the verifier's lookup by either hash (NULLs do not collide on either database).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds no more.
  await db.schema.alterTable('api_keys').addColumn('previous_key_hash', 'text').execute()
  await db.schema.alterTable('api_keys').addColumn('previous_valid_until', 'bigint').execute()
  await db.schema.alterTable('api_keys').addColumn('rotated_at', 'bigint').execute()
  await db.schema
    .createIndex('api_keys_previous_key_hash')
    .unique()
    .on('api_keys')
    .column('previous_key_hash')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('api_keys_previous_key_hash').execute()
  for (const column of ['rotated_at', 'previous_valid_until', 'previous_key_hash'])
    await db.schema.alterTable('api_keys').dropColumn(column).execute()
}
