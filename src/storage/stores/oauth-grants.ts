import { type Kysely, sql } from 'kysely'
import type { OAuthGrant } from '../../core/oauth-grants.ts'
import type { Plan } from '../../core/plans.ts'
import type { OAuthGrantStore } from '../../core/ports.ts'
import type { Role } from '../../core/roles.ts'
import type { Scope } from '../../core/scopes.ts'
import { databaseKind } from '../dialect.ts'
import { keyChangeChannel } from '../key-change-listener.ts'
import type { KeywardTables } from '../schema.ts'

type GrantRow = KeywardTables['oauth_grants']

const toGrant = (row: GrantRow): OAuthGrant => ({
  id: row.id,
  accountId: row.account_id,
  projectId: row.project_id,
  userId: row.user_id,
  clientId: row.client_id,
  clientName: row.client_name,
  redirectHost: row.redirect_host,
  scopes: JSON.parse(row.scopes) as Scope[],
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
  revokedBy: row.revoked_by,
})

const grantColumns = [
  'oauth_grants.id',
  'oauth_grants.account_id',
  'oauth_grants.project_id',
  'oauth_grants.user_id',
  'oauth_grants.client_id',
  'oauth_grants.client_name',
  'oauth_grants.redirect_host',
  'oauth_grants.scopes',
  'oauth_grants.created_at',
  'oauth_grants.last_used_at',
  'oauth_grants.revoked_at',
  'oauth_grants.revoked_by',
] as const

export function oauthGrantStore(db: Kysely<KeywardTables>): OAuthGrantStore {
  const postgres = databaseKind(db) === 'postgres'
  return {
    async insert(grant) {
      await db
        .insertInto('oauth_grants')
        .values({
          id: grant.id,
          account_id: grant.accountId,
          project_id: grant.projectId,
          user_id: grant.userId,
          client_id: grant.clientId,
          client_name: grant.clientName,
          redirect_host: grant.redirectHost,
          scopes: JSON.stringify(grant.scopes),
          created_at: grant.createdAt,
          last_used_at: null,
          revoked_at: null,
          revoked_by: null,
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('oauth_grants').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toGrant(row)
    },
    async listByAccount(accountId) {
      const rows = await db
        .selectFrom('oauth_grants')
        .innerJoin('projects', 'projects.id', 'oauth_grants.project_id')
        .leftJoin('users', 'users.id', 'oauth_grants.user_id')
        .select(grantColumns)
        .select(['projects.name as project_name', 'users.email', 'users.name as user_name'])
        .where('oauth_grants.account_id', '=', accountId)
        .orderBy('oauth_grants.created_at', 'desc')
        .orderBy('oauth_grants.id')
        .execute()
      return rows.map((row) => ({
        ...toGrant(row),
        projectName: row.project_name,
        user:
          row.email === null ? null : { id: row.user_id, email: row.email, name: row.user_name ?? row.email },
      }))
    },
    async liveIds(accountId, userId) {
      let query = db
        .selectFrom('oauth_grants')
        .select('id')
        .where('account_id', '=', accountId)
        .where('revoked_at', 'is', null)
      if (userId !== undefined) query = query.where('user_id', '=', userId)
      return (await query.execute()).map((row) => row.id)
    },
    async revoke(id, at, by) {
      const result = await db
        .updateTable('oauth_grants')
        .set({ revoked_at: at, revoked_by: by })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) !== 1) return false
      // The provider's tokens, codes and its own grant of this consent: a refresh cannot revive it.
      await db.deleteFrom('oauth_store').where('grant_id', '=', id).execute()
      await db.deleteFrom('oauth_store').where('model', '=', 'Grant').where('id', '=', id).execute()
      return true
    },
    async announceChange(id) {
      // The key channel on purpose: every node's listener already evicts ids it hears there from both caches.
      if (postgres) await sql`select pg_notify(${keyChangeChannel}, ${id})`.execute(db)
      else
        await sql`update instance_settings set value = cast(cast(value as integer) + 1 as text)
          where name = 'key_generation'`.execute(db)
    },
    async findAuthRecord(id) {
      const row = await db
        .selectFrom('oauth_grants')
        .innerJoin('accounts', 'accounts.id', 'oauth_grants.account_id')
        .leftJoin('memberships', (join) =>
          join
            .onRef('memberships.account_id', '=', 'oauth_grants.account_id')
            .onRef('memberships.user_id', '=', 'oauth_grants.user_id'),
        )
        .leftJoin('account_key_policies', 'account_key_policies.account_id', 'oauth_grants.account_id')
        .select([
          'oauth_grants.id',
          'oauth_grants.account_id',
          'oauth_grants.project_id',
          'oauth_grants.user_id',
          'oauth_grants.client_id',
          'oauth_grants.client_name',
          'oauth_grants.scopes',
          'oauth_grants.revoked_at',
          'accounts.plan',
          'accounts.deleted_at',
          'memberships.role',
          'account_key_policies.mcp_oauth',
        ])
        .where('oauth_grants.id', '=', id)
        .executeTakeFirst()
      if (!row) return undefined
      return {
        grant: {
          id: row.id,
          accountId: row.account_id,
          projectId: row.project_id,
          userId: row.user_id,
          clientId: row.client_id,
          clientName: row.client_name,
          scopes: JSON.parse(row.scopes) as Scope[],
          revokedAt: row.revoked_at,
        },
        plan: row.plan as Plan,
        role: row.deleted_at === null ? ((row.role as Role | null) ?? null) : null,
        mcpOAuth: row.mcp_oauth === null ? true : Number(row.mcp_oauth) === 1,
      }
    },
    async recordLastUsed(lastUsed) {
      if (lastUsed.size === 0) return
      await db.transaction().execute(async (trx) => {
        for (const [id, at] of lastUsed) {
          await trx
            .updateTable('oauth_grants')
            .set({ last_used_at: at })
            .where('id', '=', id)
            .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
            .execute()
        }
      })
    },
    async labels(ids) {
      const labels = new Map<string, { clientName: string; userEmail: string | null }>()
      if (ids.length === 0) return labels
      const rows = await db
        .selectFrom('oauth_grants')
        .leftJoin('users', 'users.id', 'oauth_grants.user_id')
        .select(['oauth_grants.id', 'oauth_grants.client_name', 'users.email'])
        .where('oauth_grants.id', 'in', [...new Set(ids)])
        .execute()
      for (const row of rows) labels.set(row.id, { clientName: row.client_name, userEmail: row.email })
      return labels
    },
  }
}
