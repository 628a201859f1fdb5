import { type Kysely, sql } from 'kysely'
import { databaseKind } from '../dialect.ts'

/**
 * The whole schema, for SQLite and Postgres alike. The four identity tables follow better-auth's core schema
 * (renamed to snake_case through its `modelName`/`fields` options in src/identity/auth.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = databaseKind(db) === 'postgres'
  const authTime = pg ? 'timestamptz' : 'text'
  const bool = pg ? 'boolean' : 'integer'
  const falseValue = pg ? sql`false` : sql`0`

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('email_verified', bool, (c) => c.notNull().defaultTo(falseValue))
    .addColumn('image', 'text')
    .addColumn('created_at', authTime, (c) => c.notNull())
    .addColumn('updated_at', authTime, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('auth_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', authTime, (c) => c.notNull())
    .addColumn('ip_address', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', authTime, (c) => c.notNull())
    .addColumn('updated_at', authTime, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('auth_sessions_user_id').on('auth_sessions').column('user_id').execute()

  await db.schema
    .createTable('auth_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('access_token', 'text')
    .addColumn('refresh_token', 'text')
    .addColumn('id_token', 'text')
    .addColumn('access_token_expires_at', authTime)
    .addColumn('refresh_token_expires_at', authTime)
    .addColumn('scope', 'text')
    .addColumn('password', 'text')
    .addColumn('created_at', authTime, (c) => c.notNull())
    .addColumn('updated_at', authTime, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('auth_accounts_user_id').on('auth_accounts').column('user_id').execute()

  await db.schema
    .createTable('auth_verifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('expires_at', authTime, (c) => c.notNull())
    .addColumn('created_at', authTime, (c) => c.notNull())
    .addColumn('updated_at', authTime, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('auth_verifications_identifier')
    .on('auth_verifications')
    .column('identifier')
    .execute()

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('plan', 'text', (c) => c.notNull().check(sql`plan in ('free', 'plus', 'pro', 'enterprise')`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('memberships')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'member', 'viewer')`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['account_id', 'user_id'])
    .execute()
  await db.schema.createIndex('memberships_user_id').on('memberships').column('user_id').execute()

  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('projects_account_id').on('projects').column('account_id').execute()

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_by', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('api_keys_project_id')
    .on('api_keys')
    .columns(['project_id', 'created_at'])
    .execute()

  await db.schema
    .createTable('management_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('management_events_account')
    .on('management_events')
    .columns(['account_id', 'created_at'])
    .execute()
  await makeAppendOnly(db, pg)

  await db.schema
    .createTable('instance_settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute()
}

/** The audit trail refuses UPDATE and DELETE at the database level, not only by convention. */
async function makeAppendOnly(db: Kysely<unknown>, pg: boolean): Promise<void> {
  if (pg) {
    await sql`create function management_events_append_only() returns trigger language plpgsql as $$
      begin raise exception 'management_events is append-only'; end $$`.execute(db)
    await sql`create trigger management_events_append_only before update or delete on management_events
      for each row execute function management_events_append_only()`.execute(db)
    return
  }
  for (const op of ['update', 'delete']) {
    await sql`create trigger ${sql.raw(`management_events_no_${op}`)} before ${sql.raw(op)} on management_events
      begin select raise(abort, 'management_events is append-only'); end`.execute(db)
  }
}
