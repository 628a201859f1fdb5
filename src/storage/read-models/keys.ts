import { type Kysely, sql } from 'kysely'
import type { KeyListing, KeySort } from '../../core/read-models/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { publicColumns, toApiKey } from '../stores/keys.ts'

/** Far beyond any expiry: "never expires" sorts after every date. */
const never = 8_640_000_000_000_000

/**
 * Search by the per-key controls' text (issue #16 §3): a description containing the text, or a tag starting with it,
 * ignoring case. `literal` is the search text lowercased with LIKE's wildcards escaped by `\`. Tags are stored as a
 * JSON array of `[a-z0-9_.:-]` words, so `"text` inside it is exactly a tag that starts with the text.
 */
export function keyControlsMatch(literal: string) {
  return [
    sql<boolean>`lower(api_keys.description) like ${`%${literal}%`} escape '\\'`,
    sql<boolean>`api_keys.tags like ${`%"${literal}%`} escape '\\'`,
  ]
}

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
            ...keyControlsMatch(literal),
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
  }
}
