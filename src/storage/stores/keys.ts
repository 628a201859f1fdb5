import { type Kysely, sql } from 'kysely'
import type { ApiKey, KeyControls } from '../../core/model.ts'
import type { Plan } from '../../core/plans.ts'
import type { KeyStore } from '../../core/ports.ts'
import type { Scope, ScopeSet } from '../../core/scopes.ts'
import type { ActivityWriter } from '../activity-writer.ts'
import { databaseKind } from '../dialect.ts'
import { keyChangeChannel } from '../key-change-listener.ts'
import type { KeywardTables } from '../schema.ts'

const encodeScopes = (scopes: ScopeSet): string | null => (scopes === null ? null : JSON.stringify(scopes))
const decodeScopes = (text: string | null): ScopeSet => (text === null ? null : (JSON.parse(text) as Scope[]))

/** Every column a management view may see. `key_hash` is deliberately absent. */
export const publicColumns = [
  'api_keys.id',
  'api_keys.project_id',
  'projects.account_id',
  'api_keys.name',
  'api_keys.prefix',
  'api_keys.scopes',
  'api_keys.expires_at',
  'api_keys.revoked_at',
  'api_keys.revoked_by',
  'api_keys.created_by',
  'api_keys.created_at',
  'api_keys.last_used_at',
  'api_keys.exposed_at',
  'api_keys.exposed_url',
  'api_keys.disabled_at',
  'api_keys.allowed_ips',
  'api_keys.rate_limit_per_minute',
  'api_keys.description',
  'api_keys.tags',
  'api_keys.rotated_at',
  'api_keys.previous_valid_until',
] as const

const encodeList = (list: readonly string[]): string | null =>
  list.length === 0 ? null : JSON.stringify(list)
const decodeList = (text: string | null): string[] => (text === null ? [] : (JSON.parse(text) as string[]))

/** The per-key controls as columns; only the fields given. */
function controlColumns(controls: Partial<KeyControls>) {
  const columns: Partial<
    Pick<KeywardTables['api_keys'], 'allowed_ips' | 'rate_limit_per_minute' | 'description' | 'tags'>
  > = {}
  if (controls.allowedIps !== undefined) columns.allowed_ips = encodeList(controls.allowedIps)
  if (controls.rateLimitPerMinute !== undefined) columns.rate_limit_per_minute = controls.rateLimitPerMinute
  if (controls.description !== undefined) columns.description = controls.description
  if (controls.tags !== undefined) columns.tags = encodeList(controls.tags)
  return columns
}

type PublicRow = Pick<KeywardTables['api_keys'], 'id' | 'project_id' | 'name' | 'prefix' | 'scopes'> &
  Pick<KeywardTables['api_keys'], 'expires_at' | 'revoked_at' | 'revoked_by' | 'created_by' | 'created_at'> &
  Pick<
    KeywardTables['api_keys'],
    | 'exposed_at'
    | 'exposed_url'
    | 'disabled_at'
    | 'allowed_ips'
    | 'rate_limit_per_minute'
    | 'description'
    | 'tags'
    | 'rotated_at'
    | 'previous_valid_until'
  > & {
    account_id: string
    last_used_at: number | null
  }

export const toApiKey = (row: PublicRow): ApiKey => ({
  id: row.id,
  projectId: row.project_id,
  accountId: row.account_id,
  name: row.name,
  prefix: row.prefix,
  scopes: decodeScopes(row.scopes),
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  revokedBy: row.revoked_by,
  createdBy: row.created_by,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  exposedAt: row.exposed_at,
  exposedUrl: row.exposed_url,
  disabledAt: row.disabled_at,
  allowedIps: decodeList(row.allowed_ips),
  rateLimitPerMinute: row.rate_limit_per_minute,
  description: row.description,
  tags: decodeList(row.tags),
  rotatedAt: row.rotated_at,
  previousKeyValidUntil: row.previous_valid_until,
})

const keysPerSlice = 250

/** The writer thread's version of `recordLastUsed` below (never moves last_used_at backwards). */
export const lastUsedUpdateSql =
  'update api_keys set last_used_at = ? where id = ? and (last_used_at is null or last_used_at < ?)'

export function keyStore(db: Kysely<KeywardTables>, writer?: ActivityWriter): KeyStore {
  const postgres = databaseKind(db) === 'postgres'
  const withProject = () =>
    db.selectFrom('api_keys').innerJoin('projects', 'projects.id', 'api_keys.project_id')

  return {
    async insert(k) {
      await db
        .insertInto('api_keys')
        .values({
          id: k.id,
          project_id: k.projectId,
          name: k.name,
          prefix: k.prefix,
          key_hash: k.keyHash,
          scopes: encodeScopes(k.scopes),
          expires_at: k.expiresAt,
          revoked_at: null,
          revoked_by: null,
          created_by: k.createdBy,
          created_at: k.createdAt,
          last_used_at: null,
          exposed_at: null,
          exposed_url: null,
          disabled_at: null,
          ...controlColumns(k),
          previous_key_hash: null,
          previous_valid_until: null,
          rotated_at: null,
        })
        .execute()
    },
    async findById(id) {
      const row = await withProject().select(publicColumns).where('api_keys.id', '=', id).executeTakeFirst()
      return row && toApiKey(row)
    },
    async listByAccount(accountId, { hideRevoked }) {
      let query = withProject()
        .select(publicColumns)
        .select('projects.name as project_name')
        .where('projects.account_id', '=', accountId)
      if (hideRevoked) query = query.where('api_keys.revoked_at', 'is', null)
      const rows = await query.orderBy('api_keys.created_at', 'desc').orderBy('api_keys.id').execute()
      return rows.map((row) => ({ ...toApiKey(row), projectName: row.project_name }))
    },
    async updateScopes(id, scopes) {
      await db
        .updateTable('api_keys')
        .set({ scopes: encodeScopes(scopes) })
        .where('id', '=', id)
        .execute()
    },
    async announceChange(id) {
      if (postgres) await sql`select pg_notify(${keyChangeChannel}, ${id})`.execute(db)
      // SQLite: other processes on the file watch this counter (see keyChangeSignal in database.ts).
      else
        await sql`update instance_settings set value = cast(cast(value as integer) + 1 as text)
          where name = 'key_generation'`.execute(db)
    },
    async rotate(id, { keyHash, prefix, at, previousValidUntil }) {
      // The right-hand sides read the row as it was: the current hash becomes the previous one, and a previous
      // secret still in its grace is dropped (at most two live secrets).
      const result = await db
        .updateTable('api_keys')
        .set((eb) => ({
          previous_key_hash: eb.ref('key_hash'),
          key_hash: keyHash,
          prefix,
          previous_valid_until: previousValidUntil,
          rotated_at: at,
        }))
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async updateExpiry(id, expiresAt) {
      const result = await db
        .updateTable('api_keys')
        .set({ expires_at: expiresAt })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async revoke(id, at, by) {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: at, revoked_by: by })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async updateControls(id, controls) {
      await db
        .updateTable('api_keys')
        .set(controlColumns(controls))
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute()
    },
    async setDisabled(id, at) {
      const result = await db
        .updateTable('api_keys')
        .set({ disabled_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .where('disabled_at', at === null ? 'is not' : 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async findAuthRecord(keyHash) {
      const row = await withProject()
        .innerJoin('accounts', 'accounts.id', 'projects.account_id')
        .leftJoin('account_key_policies', 'account_key_policies.account_id', 'projects.account_id')
        .select([
          'api_keys.id',
          'api_keys.project_id',
          'projects.account_id',
          'accounts.plan',
          'api_keys.scopes',
          'api_keys.expires_at',
          'api_keys.revoked_at',
          'api_keys.created_at',
          'account_key_policies.max_lifetime_days',
          'account_key_policies.mcp_keys',
          'api_keys.exposed_at',
          'api_keys.disabled_at',
          'api_keys.allowed_ips',
          'api_keys.rate_limit_per_minute',
          'api_keys.previous_key_hash',
          'api_keys.previous_valid_until',
        ])
        // Both columns have a unique index: one indexed probe each, whichever secret was sent.
        .where((eb) =>
          eb.or([eb('api_keys.key_hash', '=', keyHash), eb('api_keys.previous_key_hash', '=', keyHash)]),
        )
        .executeTakeFirst()
      const previous = row?.previous_key_hash === keyHash
      return (
        row && {
          id: row.id,
          projectId: row.project_id,
          accountId: row.account_id,
          plan: row.plan as Plan,
          scopes: decodeScopes(row.scopes),
          expiresAt: row.expires_at,
          revokedAt: row.revoked_at,
          createdAt: row.created_at,
          maxLifetimeDays: row.max_lifetime_days === null ? null : Number(row.max_lifetime_days),
          exposedAt: row.exposed_at,
          disabledAt: row.disabled_at,
          allowedIps: decodeList(row.allowed_ips),
          rateLimitPerMinute: row.rate_limit_per_minute,
          mcpAllowed: row.mcp_keys === null || Number(row.mcp_keys) === 1,
          ...(previous ? { previousSecretValidUntil: row.previous_valid_until ?? 0 } : {}),
        }
      )
    },
    async findByHashes(keyHashes) {
      const rows = await withProject()
        .select([
          'api_keys.key_hash',
          'api_keys.previous_key_hash',
          'api_keys.previous_valid_until',
          'api_keys.id',
          'projects.account_id',
          'api_keys.expires_at',
          'api_keys.revoked_at',
        ])
        .where((eb) =>
          eb.or([
            eb('api_keys.key_hash', 'in', keyHashes),
            eb('api_keys.previous_key_hash', 'in', keyHashes),
          ]),
        )
        .execute()
      const wanted = new Set(keyHashes)
      return rows.flatMap((row) => {
        const key = { id: row.id, accountId: row.account_id, revokedAt: row.revoked_at }
        const found = []
        if (wanted.has(row.key_hash)) found.push({ ...key, keyHash: row.key_hash, expiresAt: row.expires_at })
        // A rolled key's previous secret is live until its grace ends (exclusive): a leak of it counts as well.
        if (row.previous_key_hash !== null && wanted.has(row.previous_key_hash)) {
          const graceEnd = (row.previous_valid_until ?? 0) - 1
          const expiresAt = row.expires_at === null ? graceEnd : Math.min(row.expires_at, graceEnd)
          found.push({ ...key, keyHash: row.previous_key_hash, expiresAt })
        }
        return found
      })
    },
    async markExposed(id, at, url) {
      const result = await db
        .updateTable('api_keys')
        .set({ exposed_at: at, exposed_url: url })
        .where('id', '=', id)
        .where('exposed_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async recordLastUsed(lastUsed) {
      const entries = [...lastUsed]
      if (writer) return writer.recordLastUsed(entries)
      // Slices of a few hundred keys, with the event loop free in between: on SQLite each transaction runs on the
      // main thread, and thousands of active keys in one would stall every request for tens of milliseconds.
      for (let i = 0; i < entries.length; i += keysPerSlice) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve))
        await db.transaction().execute(async (trx) => {
          for (const [id, at] of entries.slice(i, i + keysPerSlice)) {
            // Never move last_used_at backwards when two nodes flush out of order.
            await trx
              .updateTable('api_keys')
              .set({ last_used_at: at })
              .where('id', '=', id)
              .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
              .execute()
          }
        })
      }
    },
  }
}
