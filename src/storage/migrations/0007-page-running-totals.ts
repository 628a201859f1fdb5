import { type Kysely, sql } from 'kysely'
import { databaseKind } from '../dialect.ts'
import { rebuildPageRunningTotals } from '../page-running-totals.ts'

/**
 * Running citation totals per cited page, so that top pages over any window costs two index seeks per page:
 *
 * - `tracking_pages`: every page (URL) a project has been cited with;
 * - `tracking_page_running`: per project × URL × day the URL was cited, its citations from the first day through
 *   that one;
 * - an index of `tracking_page_daily` by URL, to read the exact figures of the few pages a response shows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const clustered = databaseKind(db) === 'sqlite' ? sql`without rowid` : sql``
  await db.schema
    .createTable('tracking_pages')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tracking_pages_pk', ['project_id', 'url'])
    .modifyEnd(clustered)
    .execute()
  await db.schema
    .createTable('tracking_page_running')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('citations_to_date', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('tracking_page_running_pk', ['project_id', 'url', 'day'])
    .modifyEnd(clustered)
    .execute()
  await db.schema
    .createIndex('tracking_page_daily_by_url')
    .on('tracking_page_daily')
    .columns(['project_id', 'url', 'day'])
    .execute()
  await rebuildPageRunningTotals(db, null, 0)
}
