import type { Kysely } from 'kysely'
import type { ActivityLog } from '../../core/read-models/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { toEntry } from '../stores/activity.ts'
import { matching } from './activity-filter.ts'

/** Agent Activity's rows, with the names of their project and key: the list, newest first, and one row. */
export function activityRows(db: Kysely<KeywardTables>): Pick<ActivityLog, 'search' | 'find'> {
  const withNames = () =>
    db
      .selectFrom('activity')
      .leftJoin('api_keys', 'api_keys.id', 'activity.key_id')
      .leftJoin('projects', 'projects.id', 'activity.project_id')
      .selectAll('activity')
      .select(['projects.name as project_name', 'api_keys.name as key_name', 'api_keys.prefix as key_prefix'])
  type Row = Awaited<ReturnType<ReturnType<typeof withNames>['executeTakeFirstOrThrow']>>
  const toRowData = (row: Row) => ({
    ...toEntry(row),
    projectName: row.project_name,
    keyName: row.key_name,
    keyPrefix: row.key_prefix,
  })

  return {
    async search(filter, { limit, before }) {
      const rows = await withNames()
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
      return rows.map(toRowData)
    },
    async find(id) {
      const row = await withNames().where('activity.id', '=', id).executeTakeFirst()
      return row && toRowData(row)
    },
  }
}
