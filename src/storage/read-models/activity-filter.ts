import type { ExpressionBuilder } from 'kysely'
import type { ActivitySearch } from '../../core/read-models/ports.ts'
import type { KeywardTables } from '../schema.ts'

/** The rows of Agent Activity that a filter selects (the list, and the chart when the rollup cannot answer). */
export function matching(eb: ExpressionBuilder<KeywardTables, 'activity'>, filter: ActivitySearch) {
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
  const account = filter.accountId
  return eb.and([
    ...(account === undefined ? [] : [eb('activity.account_id', account === null ? 'is' : '=', account)]),
    eb('activity.at', '>=', filter.from),
    eb('activity.at', '<=', filter.to),
    ...(filter.keyId ? [eb('activity.key_id', '=', filter.keyId)] : []),
    ...(filter.projectId ? [eb('activity.project_id', '=', filter.projectId)] : []),
    ...(filter.statusClass ? [status[filter.statusClass]] : []),
    ...(filter.route !== undefined ? [eb('activity.route', '=', filter.route)] : []),
    ...(filter.status !== undefined ? [eb('activity.status', '=', filter.status)] : []),
    ...(filter.reason !== undefined ? [eb('activity.reason', '=', filter.reason)] : []),
  ])
}
