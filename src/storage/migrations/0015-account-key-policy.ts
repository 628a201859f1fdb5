import type { Kysely } from 'kysely'

/**
 * Each account's API key policy (issue #15 §3). An account without a row has the default policy (no expiry required,
 * no maximum lifetime, new keys get full access, a leaked key is revoked), so existing accounts need no backfill.
 * Verification reads `max_lifetime_days` in the same indexed query as the key (a left join on the primary key).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('account_key_policies')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('require_expiry', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_lifetime_days', 'integer')
    .addColumn('default_scopes', 'text', (c) => c.notNull().defaultTo('all'))
    .addColumn('leak_response', 'text', (c) => c.notNull().defaultTo('revoke'))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_key_policies').execute()
}
