import { type Kysely, sql } from 'kysely'

/**
 * Team settings (issue #19, item 7): the primary owner, and soft deletion.
 *
 * `primary_owner_id` is the one Owner who may transfer ownership and delete the team (DevTune's team docs). Existing
 * accounts get their earliest Owner. A user who is deleted leaves it NULL; then only the host's operator may transfer.
 *
 * `deleted_at` marks a deleted team. Deletion is soft: the row stays so that the audit trail (management history,
 * Agent Activity, revoked keys) keeps pointing at an account, while every key is revoked, every membership removed
 * and the slug freed. A deleted account is invisible to every store read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addColumn('primary_owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .execute()
  await db.schema.alterTable('accounts').addColumn('deleted_at', 'bigint').execute()
  await sql`update accounts set primary_owner_id = (
      select m.user_id from memberships m
      where m.account_id = accounts.id and m.role = 'owner'
      order by m.created_at, m.user_id limit 1)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('deleted_at').execute()
  await db.schema.alterTable('accounts').dropColumn('primary_owner_id').execute()
}
