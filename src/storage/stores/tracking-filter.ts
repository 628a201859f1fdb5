import type { Kysely, SelectQueryBuilder } from 'kysely'
import type { Classification } from '../../core/analytics/model.ts'
import type { TrackingFilter } from '../../core/analytics/ports.ts'
import type { KeywardTables } from '../schema.ts'

/** The tables analytics reads by project and window of days, and which of the optional filters each has columns for. */
const filterColumns = {
  tracking_results: { platformAndTopic: true, classification: false },
  tracking_citations: { platformAndTopic: true, classification: true },
  tracking_daily: { platformAndTopic: true, classification: false },
  tracking_day_totals: { platformAndTopic: false, classification: false },
  tracking_page_daily: { platformAndTopic: false, classification: true },
} as const

export type FilteredTable = keyof typeof filterColumns
export type TrackingRowFilter = TrackingFilter & { classification?: Classification }

/**
 * The rows of `table` for one project and window, narrowed by the platform, topic and classification filters the
 * table has columns for. A table without a filter's column cannot honour it: callers pick a table that can
 * (`pageRollupFits`, the unfiltered day totals) before they ask.
 */
export function filteredRows<T extends FilteredTable>(
  db: Kysely<KeywardTables>,
  table: T,
  f: TrackingRowFilter,
): SelectQueryBuilder<KeywardTables, T, object> {
  const has = filterColumns[table]
  // Built as the raw citations, which have every filter column; handed back typed as the table asked for.
  const rows = db
    .selectFrom(table as 'tracking_citations')
    .where('project_id', '=', f.projectId)
    .where('day', '>=', f.from)
    .where('day', '<=', f.to)
    .$if(has.platformAndTopic && f.platform !== undefined, (q) => q.where('platform', '=', f.platform ?? ''))
    .$if(has.platformAndTopic && f.topicId !== undefined, (q) => q.where('topic_id', '=', f.topicId ?? ''))
    .$if(has.classification && f.classification !== undefined, (q) =>
      q.where('classification', '=', f.classification ?? ''),
    )
  return rows as unknown as SelectQueryBuilder<KeywardTables, T, object>
}
