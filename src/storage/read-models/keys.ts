import { type ExpressionBuilder, type Kysely, sql } from 'kysely'
import { activityReasons } from '../../core/activity-reason.ts'
import type { KeyListing, KeySort } from '../../core/read-models/ports.ts'
import { encodeReason } from '../activity-codec.js'
import type { KeywardTables } from '../schema.ts'
import { publicColumns, toApiKey } from '../stores/keys.ts'

/** Far beyond any expiry: "never expires" sorts after every date. */
const never = 8_640_000_000_000_000

/**
 * The API Keys search, ignoring case: the name or the description contains the text, the prefix starts with it, or a
 * tag does. The one place that says what a search matches. Tags are stored as a JSON array of `[a-z0-9_.:-]` words,
 * so `"text` inside it is exactly a tag that starts with the text.
 */
function keyMatches(eb: ExpressionBuilder<KeywardTables, 'api_keys'>, text: string) {
  // The prefix's own `_` would match any character: the text is taken literally.
  const literal = text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)
  return eb.or([
    sql<boolean>`lower(api_keys.name) like ${`%${literal}%`} escape '\\'`,
    sql<boolean>`lower(api_keys.prefix) like ${`${literal}%`} escape '\\'`,
    sql<boolean>`lower(api_keys.description) like ${`%${literal}%`} escape '\\'`,
    sql<boolean>`api_keys.tags like ${`%"${literal}%`} escape '\\'`,
  ])
}

export function keyListing(db: Kysely<KeywardTables>): KeyListing {
  const keysOf = (accountId: string) =>
    db
      .selectFrom('api_keys')
      .innerJoin('projects', 'projects.id', 'api_keys.project_id')
      .where('projects.account_id', '=', accountId)

  return {
    async page({
      accountId,
      projectId,
      search,
      hideRevoked,
      sort,
      order,
      offset,
      limit,
      now,
      activeSince = 0,
    }) {
      let query = keysOf(accountId)
      if (projectId) query = query.where('api_keys.project_id', '=', projectId)
      if (search) query = query.where((eb) => keyMatches(eb, search))
      if (hideRevoked) query = query.where('api_keys.revoked_at', 'is', null)
      const sortKey: Record<KeySort, ReturnType<typeof sql>> = {
        created: sql`api_keys.created_at`,
        name: sql`lower(api_keys.name)`,
        project: sql`lower(projects.name)`,
        // active, expired (by date or by the account's policy), disabled, revoked, exposed: as keyStatus ranks them
        status: sql`case when api_keys.exposed_at is not null then 4 when api_keys.revoked_at is not null then 3 when api_keys.disabled_at is not null then 2 when (api_keys.expires_at is not null and api_keys.expires_at < ${now}) or api_keys.created_at < ${activeSince} then 1 else 0 end`,
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
    async counts(accountId, now, activeSince = 0) {
      const row = await keysOf(accountId)
        .select((eb) => [
          eb.fn.countAll<number | string>().as('total'),
          eb.fn
            .sum<number | string | null>(
              sql`case when api_keys.revoked_at is null and (api_keys.expires_at is null or api_keys.expires_at >= ${now}) and api_keys.created_at >= ${activeSince} then 1 else 0 end`,
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
      // The partial index activity_log_reason (account, reason, id) serves it: only refusals and previous-secret
      // requests are in it. The id is the time (× 2^20), so a rotation time is an id bound.
      const rows = await db
        .selectFrom('activity_log as l')
        .innerJoin('activity_names as key', 'key.id', 'l.key_ref')
        .innerJoin('api_keys', 'api_keys.id', 'key.name')
        .select(['key.name as key_id', sql<number | string>`max(l.id) / 1048576`.as('last')])
        .where('l.account_ref', '=', (eb) =>
          eb
            .selectFrom('activity_names')
            .select('activity_names.id')
            .where('activity_names.name', '=', accountId),
        )
        .where('l.reason_code', '=', encodeReason(activityReasons, 'previous_secret'))
        .where('key.name', 'in', keyIds)
        .where(sql<boolean>`l.id >= api_keys.rotated_at * 1048576`)
        .groupBy('key.name')
        .execute()
      return new Map(rows.map((r) => [r.key_id as string, Number(r.last)]))
    },
  }
}
