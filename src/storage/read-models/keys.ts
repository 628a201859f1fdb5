import { type Kysely, sql } from 'kysely'
import type { KeyListing, KeySort } from '../../core/read-models/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { publicColumns, toApiKey } from '../stores/keys.ts'

/** Far beyond any expiry: "never expires" sorts after every date. */
const never = 8_640_000_000_000_000

export function keyListing(db: Kysely<KeywardTables>): KeyListing {
  const keysOf = (accountId: string) =>
    db
      .selectFrom('api_keys')
      .innerJoin('projects', 'projects.id', 'api_keys.project_id')
      .where('projects.account_id', '=', accountId)

  return {
    async page({ accountId, projectId, search, hideRevoked, sort, order, offset, limit, now }) {
      let query = keysOf(accountId)
      if (projectId) query = query.where('api_keys.project_id', '=', projectId)
      if (search) {
        // The prefix's own `_` would match any character: the text is taken literally.
        const literal = search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)
        query = query.where((eb) =>
          eb.or([
            sql<boolean>`lower(api_keys.name) like ${`%${literal}%`} escape '\\'`,
            sql<boolean>`lower(api_keys.prefix) like ${`${literal}%`} escape '\\'`,
          ]),
        )
      }
      if (hideRevoked) query = query.where('api_keys.revoked_at', 'is', null)
      const sortKey: Record<KeySort, ReturnType<typeof sql>> = {
        created: sql`api_keys.created_at`,
        name: sql`lower(api_keys.name)`,
        project: sql`lower(projects.name)`,
        // active, then expired, then revoked: the order of the status badges
        status: sql`case when api_keys.revoked_at is not null then 2 when api_keys.expires_at is not null and api_keys.expires_at < ${now} then 1 else 0 end`,
        expires: sql`coalesce(api_keys.expires_at, ${never})`,
        lastUsed: sql`coalesce(api_keys.last_used_at, 0)`,
      }
      const direction = order === 'asc' ? sql`asc` : sql`desc`
      const [rows, count] = await Promise.all([
        query
          .select(publicColumns)
          .select('projects.name as project_name')
          .orderBy(sql`${sortKey[sort]} ${direction}`)
          .orderBy(sql`api_keys.id ${direction}`)
          .limit(limit)
          .offset(offset)
          .execute(),
        query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      ])
      return {
        rows: rows.map((row) => ({ ...toApiKey(row), projectName: row.project_name })),
        total: Number(count.n),
      }
    },
    async counts(accountId, now) {
      const row = await keysOf(accountId)
        .select((eb) => [
          eb.fn.countAll<number | string>().as('total'),
          eb.fn
            .sum<number | string | null>(
              sql`case when api_keys.revoked_at is null and (api_keys.expires_at is null or api_keys.expires_at >= ${now}) then 1 else 0 end`,
            )
            .as('active'),
        ])
        .executeTakeFirstOrThrow()
      return { total: Number(row.total), active: Number(row.active ?? 0) }
    },
    async countsByProject(accountId) {
      const rows = await keysOf(accountId)
        .select((eb) => ['api_keys.project_id', eb.fn.countAll<number | string>().as('n')])
        .where('api_keys.revoked_at', 'is', null)
        .groupBy('api_keys.project_id')
        .execute()
      return new Map(rows.map((r) => [r.project_id, Number(r.n)]))
    },
    async previousSecretLastUse(accountId, keyIds) {
      if (keyIds.length === 0) return new Map()
      // The partial index activity_account_reason (account, reason, at) serves it: only refusals and
      // previous-secret requests are in it.
      const rows = await db
        .selectFrom('activity')
        .innerJoin('api_keys', 'api_keys.id', 'activity.key_id')
        .select((eb) => ['activity.key_id', eb.fn.max<number | string>('activity.at').as('last')])
        .where('activity.account_id', '=', accountId)
        .where('activity.reason', '=', 'previous_secret')
        .where('activity.key_id', 'in', keyIds)
        .whereRef('activity.at', '>=', 'api_keys.rotated_at')
        .groupBy('activity.key_id')
        .execute()
      return new Map(rows.map((r) => [r.key_id as string, Number(r.last)]))
    },
  }
}
