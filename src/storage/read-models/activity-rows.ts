import { type Kysely, sql } from 'kysely'
import type { ActivityEntry } from '../../core/activity.ts'
import { type ActivityReason, activityReasons } from '../../core/activity-reason.ts'
import type { ActivityLog, ActivityRowData } from '../../core/read-models/ports.ts'
import { decodeLatency, decodeReason, decodeRequestId, idAt } from '../activity-codec.js'
import type { KeywardTables } from '../schema.ts'
import { idParam, matching } from './activity-filter.ts'

type Db = Kysely<KeywardTables>

/**
 * Agent Activity's rows, with the names of their project and key: the list, newest first, and one row. The rows are
 * picked from `activity_log` alone (its index serves the order and the limit), then their dictionary entries joined.
 */
export function activityRows(db: Db): Pick<ActivityLog, 'search' | 'find'> {
  const decoded = (picked: ReturnType<typeof pick>) =>
    db
      .selectFrom(picked.as('l'))
      .innerJoin('activity_shapes as s', 's.id', 'l.shape_ref')
      .innerJoin('activity_clients as c', 'c.id', 'l.client_ref')
      .innerJoin('activity_names as path', 'path.id', 'l.path_ref')
      .leftJoin('activity_names as account', 'account.id', 'l.account_ref')
      .leftJoin('activity_names as project', 'project.id', 'l.project_ref')
      .leftJoin('activity_names as key', 'key.id', 'l.key_ref')
      .leftJoin('activity_names as requested', 'requested.id', 'l.requested_ref')
      .leftJoin('activity_names as rpc', 'rpc.id', 'l.rpc_ref')
      .leftJoin('api_keys', 'api_keys.id', 'key.name')
      .leftJoin('projects', 'projects.id', 'project.name')
      .select([
        sql<string>`cast(l.id as text)`.as('id'),
        sql<number>`l.id / 1048576`.as('at'),
        'account.name as account_id',
        'project.name as project_id',
        'key.name as key_id',
        's.method',
        's.route',
        'path.name as path',
        's.status',
        's.scope',
        'l.latency_cs',
        's.error_code',
        's.rate_limited',
        'l.reason_code',
        'requested.name as requested_project_id',
        'l.request_id',
        'rpc.name as rpc_id',
        'c.client_ip',
        'c.user_agent',
        'projects.name as project_name',
        'api_keys.name as key_name',
        'api_keys.prefix as key_prefix',
      ])
      .orderBy('l.id', 'desc')
  const pick = () => db.selectFrom('activity_log as l').selectAll('l')
  type Row = Awaited<ReturnType<ReturnType<typeof decoded>['executeTakeFirstOrThrow']>>
  const toRowData = (row: Row): ActivityRowData => ({
    ...entryOf(row),
    projectName: row.project_name,
    keyName: row.key_name,
    keyPrefix: row.key_prefix,
  })

  return {
    async search(filter, { limit, before }) {
      // The list is ordered by time, then id: one order, as the id is the time (see activity-codec.js).
      const after =
        before === undefined ? undefined : /^\d{1,19}$/.test(before.id) ? BigInt(before.id) : idAt(before.at)
      const picked = pick()
        .where((eb) => matching(eb, filter))
        .$if(after !== undefined, (q) => q.where('l.id', '<', idParam(after ?? 0n)))
        .orderBy('l.id', 'desc')
        .limit(limit)
      const rows = await decoded(picked).execute()
      return rows.map(toRowData)
    },
    async find(id, accountId) {
      if (!/^\d{1,19}$/.test(id)) return undefined
      // With the account, one probe of its index; without, Postgres reads the id's block range (BRIN).
      const picked = pick()
        .where('l.id', '=', idParam(BigInt(id)))
        .$if(accountId !== undefined, (q) =>
          q.where('l.account_ref', '=', (eb) =>
            eb
              .selectFrom('activity_names')
              .select('activity_names.id')
              .where('activity_names.name', '=', accountId ?? ''),
          ),
        )
      const row = await decoded(picked).executeTakeFirst()
      return row && toRowData(row)
    },
  }
}

/** A decoded row of `activity_log` as the core's entry. */
export function entryOf(row: {
  id: string
  at: number | string
  account_id: string | null
  project_id: string | null
  key_id: string | null
  method: string
  route: string | null
  path: string
  status: number
  scope: string | null
  latency_cs: number
  error_code: string | null
  rate_limited: number
  reason_code: number
  requested_project_id: string | null
  request_id: Uint8Array | null
  rpc_id: string | null
  client_ip: string | null
  user_agent: string | null
}): ActivityEntry {
  return {
    id: row.id,
    at: Number(row.at),
    accountId: row.account_id,
    projectId: row.project_id,
    keyId: row.key_id,
    method: row.method,
    route: row.route,
    path: row.path,
    status: row.status,
    scope: row.scope,
    latencyMs: decodeLatency(row.latency_cs),
    errorCode: row.error_code,
    rateLimited: Number(row.rate_limited) === 1,
    reason: decodeReason(activityReasons, row.reason_code) as ActivityReason | null,
    requestedProjectId: row.requested_project_id,
    requestId: decodeRequestId(row.request_id),
    rpcId: row.rpc_id,
    clientIp: row.client_ip,
    userAgent: row.user_agent,
  }
}
