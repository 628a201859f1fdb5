import { type ExpressionBuilder, type Kysely, sql } from 'kysely'
import type { ActivityFilter, ActivityLog, StatusClass } from '../../core/read-models/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { toEntry } from '../stores/activity.ts'

const statusClassOf = sql<StatusClass>`case when activity.status = 429 then '429' when activity.status >= 500 then '5xx' when activity.status >= 400 then '4xx' else '2xx' end`

function matching(eb: ExpressionBuilder<KeywardTables, 'activity'>, filter: ActivityFilter) {
  const status = {
    '2xx': eb('activity.status', '<', 400),
    '4xx': eb.and([
      eb('activity.status', '>=', 400),
      eb('activity.status', '<', 500),
      eb('activity.status', '!=', 429),
    ]),
    '429': eb('activity.status', '=', 429),
    '5xx': eb('activity.status', '>=', 500),
  }
  return eb.and([
    eb('activity.account_id', '=', filter.accountId),
    eb('activity.at', '>=', filter.from),
    eb('activity.at', '<=', filter.to),
    ...(filter.keyId ? [eb('activity.key_id', '=', filter.keyId)] : []),
    ...(filter.projectId ? [eb('activity.project_id', '=', filter.projectId)] : []),
    ...(filter.statusClass ? [status[filter.statusClass]] : []),
  ])
}

export function activityLog(db: Kysely<KeywardTables>): ActivityLog {
  return {
    async search(filter, { limit, before }) {
      const rows = await db
        .selectFrom('activity')
        .leftJoin('api_keys', 'api_keys.id', 'activity.key_id')
        .leftJoin('projects', 'projects.id', 'activity.project_id')
        .selectAll('activity')
        .select([
          'projects.name as project_name',
          'api_keys.name as key_name',
          'api_keys.prefix as key_prefix',
        ])
        .where((eb) => matching(eb, filter))
        .$if(before !== undefined, (q) =>
          q.where((eb) =>
            eb.or([
              eb('activity.at', '<', before?.at ?? 0),
              eb.and([eb('activity.at', '=', before?.at ?? 0), eb('activity.id', '<', before?.id ?? '')]),
            ]),
          ),
        )
        .orderBy('activity.at', 'desc')
        .orderBy('activity.id', 'desc')
        .limit(limit)
        .execute()
      return rows.map((row) => ({
        ...toEntry(row),
        projectName: row.project_name,
        keyName: row.key_name,
        keyPrefix: row.key_prefix,
      }))
    },
    async series(filter, bucketMs) {
      // A literal, not a parameter: Postgres must see the select and the group by as the same expression.
      const size = sql.lit(Math.trunc(bucketMs))
      const bucket = sql<number>`(activity.at / ${size}) * ${size}`
      const rows = await db
        .selectFrom('activity')
        .select((eb) => [
          bucket.as('start'),
          statusClassOf.as('status_class'),
          eb.fn.countAll<number | string>().as('n'),
        ])
        .where((eb) => matching(eb, filter))
        .groupBy([bucket, statusClassOf])
        .execute()
      return rows.map((r) => ({ start: Number(r.start), statusClass: r.status_class, count: Number(r.n) }))
    },
    async usageByKey(accountId, since) {
      const rows = await db
        .selectFrom('activity')
        .select((eb) => [
          'activity.key_id',
          eb.fn.countAll<number | string>().as('requests'),
          eb.fn.sum<number | string>(sql`case when activity.status >= 400 then 1 else 0 end`).as('errors'),
          eb.fn.max('activity.at').as('last_at'),
        ])
        .where('activity.account_id', '=', accountId)
        .where('activity.at', '>=', since)
        .where('activity.key_id', 'is not', null)
        .groupBy('activity.key_id')
        .execute()
      return rows.map((r) => ({
        keyId: r.key_id as string,
        requests: Number(r.requests),
        errors: Number(r.errors),
        lastAt: Number(r.last_at),
      }))
    },
  }
}
