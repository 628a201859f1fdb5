import { type Kysely, sql } from 'kysely'
import { databaseKind } from '../dialect.ts'

/**
 * Daily rollups of the tracking tables, maintained at write time (`replaceResults` recomputes the days it touches, in
 * the same transaction), so that a 30- or 90-day window reads a few thousand rows instead of every run and citation:
 *
 * - `tracking_daily`: per project × day × platform × topic, the run figures (runs, brand and competitor mentions,
 *   positioned runs and their position sum) and the citation counts per classification. Visibility totals, the topic
 *   heatmap and the daily citation series read it, with or without platform and topic filters.
 * - `tracking_day_totals`: the same figures per project × day, summed from `tracking_daily`; the unfiltered totals
 *   (visibility summary, citation stats) read it, one row per day of the window.
 * - `tracking_page_daily`: per project × day × cited URL (with its domain and classification), the citations, their
 *   rank sum and how many ranked in the top 3, and the greatest title seen. Citation totals, top pages and top domains
 *   read it when no platform or topic filter is given (the filtered forms read the raw citations).
 *
 * Every figure is a sum (or min/max) of the raw rows, so the rollups answer exactly what the raw tables do. The
 * tables are clustered on their keys (WITHOUT ROWID on SQLite), so a window is one range scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const clustered = databaseKind(db) === 'sqlite' ? sql`without rowid` : sql``

  await db.schema
    .createTable('tracking_daily')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('topic_id', 'text', (c) => c.notNull())
    .addColumn('runs', 'integer', (c) => c.notNull())
    .addColumn('brand_mentions', 'integer', (c) => c.notNull())
    .addColumn('competitor_mentions', 'integer', (c) => c.notNull())
    .addColumn('positioned_runs', 'integer', (c) => c.notNull())
    .addColumn('position_sum', 'integer', (c) => c.notNull())
    .addColumn('primary_citations', 'integer', (c) => c.notNull())
    .addColumn('competitor_citations', 'integer', (c) => c.notNull())
    .addColumn('other_citations', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('tracking_daily_pk', ['project_id', 'day', 'platform', 'topic_id'])
    .modifyEnd(clustered)
    .execute()

  // The same figures per project × day only: what an unfiltered window sums (one row per day).
  await db.schema
    .createTable('tracking_day_totals')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('runs', 'integer', (c) => c.notNull())
    .addColumn('brand_mentions', 'integer', (c) => c.notNull())
    .addColumn('competitor_mentions', 'integer', (c) => c.notNull())
    .addColumn('positioned_runs', 'integer', (c) => c.notNull())
    .addColumn('position_sum', 'integer', (c) => c.notNull())
    .addColumn('primary_citations', 'integer', (c) => c.notNull())
    .addColumn('competitor_citations', 'integer', (c) => c.notNull())
    .addColumn('other_citations', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('tracking_day_totals_pk', ['project_id', 'day'])
    .modifyEnd(clustered)
    .execute()

  await db.schema
    .createTable('tracking_page_daily')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('classification', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('citations', 'integer', (c) => c.notNull())
    .addColumn('rank_sum', 'integer', (c) => c.notNull())
    .addColumn('top3_count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('tracking_page_daily_pk', [
      'project_id',
      'day',
      'url',
      'domain',
      'classification',
    ])
    .modifyEnd(clustered)
    .execute()

  // Backfill from the rows already stored (the same statements as the store's rebuild, over every project).
  await sql`insert into tracking_daily (project_id, day, platform, topic_id, runs, brand_mentions,
      competitor_mentions, positioned_runs, position_sum, primary_citations, competitor_citations, other_citations)
    select project_id, day, platform, topic_id, sum(runs), sum(brand), sum(competitors), sum(positioned),
      sum(position_sum), sum(cited_primary), sum(cited_competitor), sum(cited_other)
    from (
      select project_id, day, platform, topic_id, 1 as runs, brand_mentioned as brand,
        competitor_mentions as competitors, case when position is null then 0 else 1 end as positioned,
        coalesce(position, 0) as position_sum, 0 as cited_primary, 0 as cited_competitor, 0 as cited_other
      from tracking_results
      union all
      select project_id, day, platform, topic_id, 0, 0, 0, 0, 0,
        case when classification = 'primary' then 1 else 0 end,
        case when classification = 'competitor' then 1 else 0 end,
        case when classification = 'other' then 1 else 0 end
      from tracking_citations
    ) unioned
    group by project_id, day, platform, topic_id`.execute(db)
  await sql`insert into tracking_day_totals (project_id, day, runs, brand_mentions, competitor_mentions,
      positioned_runs, position_sum, primary_citations, competitor_citations, other_citations)
    select project_id, day, sum(runs), sum(brand_mentions), sum(competitor_mentions), sum(positioned_runs),
      sum(position_sum), sum(primary_citations), sum(competitor_citations), sum(other_citations)
    from tracking_daily
    group by project_id, day`.execute(db)
  await sql`insert into tracking_page_daily (project_id, day, url, domain, classification, title, citations,
      rank_sum, top3_count)
    select project_id, day, url, domain, classification, max(title), count(*), sum(rank),
      sum(case when rank <= 3 then 1 else 0 end)
    from tracking_citations
    group by project_id, day, url, domain, classification`.execute(db)
}
