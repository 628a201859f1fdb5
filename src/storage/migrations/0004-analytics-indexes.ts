import type { Kysely } from 'kysely'

/**
 * Covering indexes for the analytics windows. Every aggregate over a window (visibility totals, the heatmap, prompt
 * presence; citation totals, top pages, top domains, the daily series) reads only the columns below, so SQLite and
 * Postgres answer it from the index alone instead of visiting one table row per run or citation. They replace
 * 0003's narrower (project_id, day) index on citations; the run index stays, since it enforces one run per
 * day × platform × prompt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('tracking_results_window')
    .on('tracking_results')
    .columns([
      'project_id',
      'day',
      'brand_mentioned',
      'competitor_mentions',
      'position',
      'platform',
      'topic_id',
      'prompt_id',
    ])
    .execute()
  await db.schema
    .createIndex('tracking_citations_window')
    .on('tracking_citations')
    .columns([
      'project_id',
      'day',
      'classification',
      'url',
      'rank',
      'domain',
      'platform',
      'topic_id',
      'title',
    ])
    .execute()
  await db.schema.dropIndex('tracking_citations_project_day').execute()
}
