import { type Kysely, sql } from 'kysely'

/**
 * Team invitations. Only the SHA-256 of the token is kept: the raw token is shown once, in the invite link, so a
 * copy of the database cannot be used to join a team. Instants are epoch-ms bigints like every Keyward table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'member', 'viewer')`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    // The inviter may delete their user later; the invitation (and its audit trail) outlives them.
    .addColumn('invited_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('accepted_at', 'bigint')
    .addColumn('accepted_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('revoked_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('invitations_account_email')
    .on('invitations')
    .columns(['account_id', 'email'])
    .execute()
}
