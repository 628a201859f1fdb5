import { type ExpressionBuilder, sql } from 'kysely'
import { activityReasons } from '../../core/activity-reason.ts'
import type { ActivitySearch } from '../../core/read-models/ports.ts'
import { encodeReason, idAt } from '../activity-codec.js'
import type { KeywardTables } from '../schema.ts'

/** An id (a bigint) as a parameter both drivers take whole: text, cast by the database. */
export const idParam = (id: bigint) => sql<string | bigint>`cast(${id.toString()} as bigint)`

/** The id range of a time range, ends inclusive as the filter's: [first id of `from`, first id after `to`). */
export const idRange = (from: number, to: number) =>
  [idParam(idAt(from)), idParam(idAt(Math.min(to, 8_000_000_000_000) + 1))] as const

type Log = ExpressionBuilder<KeywardTables & { l: KeywardTables['activity_log'] }, 'l'>

/** The id a name (account, project, key) has in `activity_names`; none (no row matches) when it was never stored. */
const nameId = (eb: Log, name: string) =>
  eb.selectFrom('activity_names').select('activity_names.id').where('activity_names.name', '=', name)

/**
 * The rows of Agent Activity that a filter selects (the list, and the chart when the rollup cannot answer), on
 * `activity_log` as `l`: names become their dictionary ids, endpoint and status filters the shapes that match.
 */
export function matching(eb: Log, filter: ActivitySearch) {
  const [first, end] = idRange(filter.from, filter.to)
  const status = {
    '2xx': sql<boolean>`status < 400`,
    '4xx': sql<boolean>`status >= 400 and status < 500 and status <> 429`,
    '429': sql<boolean>`status = 429`,
    '5xx': sql<boolean>`status >= 500`,
  }
  const shapeConditions = [
    ...(filter.statusClass ? [status[filter.statusClass]] : []),
    ...(filter.route !== undefined ? [sql<boolean>`route = ${filter.route}`] : []),
    ...(filter.status !== undefined ? [sql<boolean>`status = ${filter.status}`] : []),
  ]
  const account = filter.accountId
  return eb.and([
    ...(account === undefined
      ? []
      : [account === null ? eb('l.account_ref', '=', 0) : eb('l.account_ref', '=', nameId(eb, account))]),
    eb('l.id', '>=', first),
    eb('l.id', '<', end),
    ...(filter.keyId ? [eb('l.key_ref', '=', nameId(eb, filter.keyId))] : []),
    ...(filter.projectId ? [eb('l.project_ref', '=', nameId(eb, filter.projectId))] : []),
    ...(shapeConditions.length > 0
      ? [
          eb(
            'l.shape_ref',
            'in',
            eb
              .selectFrom('activity_shapes')
              .select('activity_shapes.id')
              .where(sql<boolean>`${sql.join(shapeConditions, sql` and `)}`),
          ),
        ]
      : []),
    ...(filter.reason !== undefined
      ? [eb('l.reason_code', '=', encodeReason(activityReasons, filter.reason))]
      : []),
  ])
}
