import type { Kysely } from 'kysely'
import type { DefaultScopePreset, KeyPolicy, LeakResponse } from '../../core/key-policy.ts'
import type { KeyPolicyStore } from '../../core/ports.ts'
import type { KeywardTables } from '../schema.ts'

/** One row per account that has set a policy; the core supplies the default for the others. */
export function keyPolicyStore(db: Kysely<KeywardTables>): KeyPolicyStore {
  return {
    async find(accountId) {
      const row = await db
        .selectFrom('account_key_policies')
        .selectAll()
        .where('account_id', '=', accountId)
        .executeTakeFirst()
      return (
        row && {
          requireExpiry: Number(row.require_expiry) === 1,
          maxLifetimeDays: row.max_lifetime_days === null ? null : Number(row.max_lifetime_days),
          defaultScopes: row.default_scopes as DefaultScopePreset,
          leakResponse: row.leak_response as LeakResponse,
          mcpKeys: Number(row.mcp_keys) === 1,
          mcpOAuth: Number(row.mcp_oauth) === 1,
        }
      )
    },
    async save(accountId, policy: KeyPolicy, at, by) {
      const values = {
        require_expiry: policy.requireExpiry ? 1 : 0,
        max_lifetime_days: policy.maxLifetimeDays,
        default_scopes: policy.defaultScopes,
        leak_response: policy.leakResponse,
        mcp_keys: policy.mcpKeys ? 1 : 0,
        mcp_oauth: policy.mcpOAuth ? 1 : 0,
        updated_at: at,
        updated_by: by,
      }
      await db
        .insertInto('account_key_policies')
        .values({ account_id: accountId, ...values })
        .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
        .execute()
    },
  }
}
