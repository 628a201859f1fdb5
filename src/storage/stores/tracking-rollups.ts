import { type Kysely, sql } from 'kysely'
import { rebuildPageRunningTotals } from '../page-running-totals.ts'
import type { KeywardTables } from '../schema.ts'

/**
 * Recomputes the daily rollups (migration 0005) of one project's days `from`..`to` from the raw rows: deletes those
 * days' rollup rows, then regroups the runs and citations of those days. Run it in the transaction that wrote the raw
 * rows. The bench calls it once after loading rows with SQL.
 */
export async function rebuildTrackingRollups(
  db: Kysely<KeywardTables>,
  projectId: string,
  from: number,
  to: number,
): Promise<void> {
  for (const table of ['tracking_daily', 'tracking_day_totals', 'tracking_page_daily'] as const) {
    await db
      .deleteFrom(table)
      .where('project_id', '=', projectId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .execute()
  }
  await sql`insert into tracking_daily (project_id, day, platform, topic_id, runs, brand_mentions,
      competitor_mentions, positioned_runs, position_sum, primary_citations, competitor_citations, other_citations)
    select project_id, day, platform, topic_id, sum(runs), sum(brand), sum(competitors), sum(positioned),
      sum(position_sum), sum(cited_primary), sum(cited_competitor), sum(cited_other)
    from (
      select project_id, day, platform, topic_id, 1 as runs, brand_mentioned as brand,
        competitor_mentions as competitors, case when position is null then 0 else 1 end as positioned,
        coalesce(position, 0) as position_sum, 0 as cited_primary, 0 as cited_competitor, 0 as cited_other
      from tracking_results
      where project_id = ${projectId} and day >= ${from} and day <= ${to}
      union all
      select project_id, day, platform, topic_id, 0, 0, 0, 0, 0,
        case when classification = 'primary' then 1 else 0 end,
        case when classification = 'competitor' then 1 else 0 end,
        case when classification = 'other' then 1 else 0 end
      from tracking_citations
      where project_id = ${projectId} and day >= ${from} and day <= ${to}
    ) unioned
    group by project_id, day, platform, topic_id`.execute(db)
  await sql`insert into tracking_day_totals (project_id, day, runs, brand_mentions, competitor_mentions,
      positioned_runs, position_sum, primary_citations, competitor_citations, other_citations)
    select project_id, day, sum(runs), sum(brand_mentions), sum(competitor_mentions), sum(positioned_runs),
      sum(position_sum), sum(primary_citations), sum(competitor_citations), sum(other_citations)
    from tracking_daily
    where project_id = ${projectId} and day >= ${from} and day <= ${to}
    group by project_id, day`.execute(db)
  await sql`insert into tracking_page_daily (project_id, day, url, domain, classification, title, citations,
      rank_sum, top3_count)
    select project_id, day, url, domain, classification, max(title), count(*), sum(rank),
      sum(case when rank <= 3 then 1 else 0 end)
    from tracking_citations
    where project_id = ${projectId} and day >= ${from} and day <= ${to}
    group by project_id, day, url, domain, classification`.execute(db)
  await rebuildPageRunningTotals(db as Kysely<unknown>, projectId, from)
}
