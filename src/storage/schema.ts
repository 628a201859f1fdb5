import type { Generated } from 'kysely'

/**
 * Keyward's own tables keep instants as epoch milliseconds in a `bigint` column on both SQLite and Postgres, so
 * values, comparisons and indexes behave identically. The identity library's tables (users, auth_*) use its own
 * date mapping: ISO text on SQLite, timestamptz on Postgres.
 */
export interface KeywardTables {
  accounts: { id: string; name: string; slug: string; plan: string; created_at: number }
  memberships: { account_id: string; user_id: string; role: string; created_at: number }
  projects: { id: string; account_id: string; name: string; created_at: number }
  api_keys: {
    id: string
    project_id: string
    name: string
    prefix: string
    key_hash: string
    /** JSON array of scopes, or NULL for full access. */
    scopes: string | null
    expires_at: number | null
    revoked_at: number | null
    revoked_by: string | null
    created_by: string | null
    created_at: number
    last_used_at: number | null
  }
  management_events: {
    id: string
    account_id: string
    actor_type: string
    actor_id: string | null
    action: string
    target_type: string
    target_id: string
    details: string
    created_at: number
  }
  instance_settings: { name: string; value: string }
  users: {
    id: string
    name: string
    email: string
    email_verified: Generated<boolean | number>
    image: string | null
    created_at: Date | string
    updated_at: Date | string
  }
  /** Only the columns Keyward itself reads; better-auth owns the rest. */
  auth_accounts: { id: string; user_id: string; provider_id: string; password: string | null }
}
