import type { Kysely } from 'kysely'

/**
 * MCP authorization with OAuth 2.1 (issue 17).
 *
 * `oauth_store` is oidc-provider's storage (its adapter interface): one row per model instance (clients registered
 * dynamically, authorization codes, access and refresh tokens, grants, interactions, sessions), the payload as JSON,
 * with the columns the adapter looks up by (`grant_id` to revoke a grant's tokens, `uid` for sessions) and when the
 * row stops mattering (`expires_at`, ms; `consumed_at` for codes and rotated refresh tokens, ms).
 *
 * `oauth_signing_keys` holds the private JWK that signs access tokens, shared by every node (the first node to start
 * creates it; the others read it).
 *
 * `oauth_grants` is Keyward's own record of a consent: a credential like an API key, bound to one project, with the
 * scopes the user picked, named by the client and the user who granted it. Its id is oidc-provider's grant id, which
 * every access token carries (claim `grant_id`). Revoking it ends its tokens on every node, through the same
 * notification as a key. `scopes` is a JSON array in catalogue order (never null: a grant names its scopes).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_store')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oauth_store_pk', ['model', 'id'])
    .execute()
  await db.schema.createIndex('oauth_store_grant').on('oauth_store').column('grant_id').execute()
  await db.schema.createIndex('oauth_store_uid').on('oauth_store').column('uid').execute()
  await db.schema.createIndex('oauth_store_expires').on('oauth_store').column('expires_at').execute()

  await db.schema
    .createTable('oauth_signing_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('oauth_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_name', 'text', (c) => c.notNull())
    .addColumn('redirect_host', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_by', 'text')
    .execute()
  await db.schema
    .createIndex('oauth_grants_account')
    .on('oauth_grants')
    .columns(['account_id', 'created_at'])
    .execute()
  await db.schema.createIndex('oauth_grants_user').on('oauth_grants').column('user_id').execute()

  // An account may switch either credential off for MCP (1: allowed). The REST API stays key-only.
  await db.schema
    .alterTable('account_key_policies')
    .addColumn('mcp_keys', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await db.schema
    .alterTable('account_key_policies')
    .addColumn('mcp_oauth', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('account_key_policies').dropColumn('mcp_oauth').execute()
  await db.schema.alterTable('account_key_policies').dropColumn('mcp_keys').execute()
  await db.schema.dropTable('oauth_grants').execute()
  await db.schema.dropTable('oauth_signing_keys').execute()
  await db.schema.dropTable('oauth_store').execute()
}
