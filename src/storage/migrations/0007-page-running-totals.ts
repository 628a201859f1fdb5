import { type Kysely, sql } from 'kysely'
import { databaseKind } from '../dialect.ts'
import { rebuildPageRunningTotals } from '../page-running-totals.ts'

/**
 * Running citation totals per cited page, so that top pages over any window reads two days' rows:
 *
 * - `tracking_pages`: every page (URL) a project has been cited with, and the domain, classification and title it is
 *   shown with;
 * - `tracking_page_running`: per project × day × URL, the URL's citations, rank sum and top-3 count from its first
 *   day through that one, for every day from its first citation through the project's last (dense), clustered by
 *   day;
 * - an index of `tracking_page_daily` by URL, to find a page's domain, classification and title.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const clustered = databaseKind(db) === 'sqlite' ? sql`without rowid` : sql``
  await db.schema
    .createTable('tracking_pages')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('classification', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tracking_pages_pk', ['project_id', 'url'])
    .modifyEnd(clustered)
    .execute()
  await db.schema
    .createTable('tracking_page_running')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('citations_to_date', 'bigint', (c) => c.notNull())
    .addColumn('rank_sum_to_date', 'bigint', (c) => c.notNull())
    .addColumn('top3_to_date', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('tracking_page_running_pk', ['project_id', 'day', 'url'])
    .modifyEnd(clustered)
    .execute()
  await db.schema
    .createIndex('tracking_page_daily_by_url')
    .on('tracking_page_daily')
    .columns(['project_id', 'url', 'day'])
    .execute()
  const projects = await sql<{
    project_id: string
  }>`select distinct project_id from tracking_page_daily`.execute(db)
  for (const { project_id } of projects.rows) await rebuildPageRunningTotals(db, project_id, 0)
}
