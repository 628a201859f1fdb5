import { type Kysely, sql } from 'kysely'
import { dayMs } from '../core/analytics/window.ts'
import type { KeywardTables } from './schema.ts'

/**
 * Running citation totals per cited page (migration 0007). Dense: every page has a row for every day from its first
 * citation through the project's last day with citations, so a window's figures for every page come from two
 * single-day ranges (the totals on its last day minus those on the day before its first), however long it is.
 *
 * Recomputes one project's totals from `from` on (a change to day D changes every later total), and the domain,
 * classification and title of the pages cited from `from` on. `tracking_page_daily` must already hold the new days.
 * Run it in the writing transaction.
 */
export async function rebuildPageRunningTotals(
  db: Kysely<unknown>,
  projectId: string,
  from: number,
): Promise<void> {
  await sql`insert into tracking_pages (project_id, url, domain, classification, title)
    select distinct project_id, url, '', '', '' from tracking_page_daily
    where project_id = ${projectId} and day >= ${from}
    on conflict do nothing`.execute(db)
  // A page is shown with the greatest title and the least domain and classification it was ever cited with.
  const ever = (column: string, fn: 'min' | 'max') => sql`(select ${sql.raw(fn)}(d.${sql.raw(column)})
    from tracking_page_daily d where d.project_id = tracking_pages.project_id and d.url = tracking_pages.url)`
  await sql`update tracking_pages set domain = ${ever('domain', 'min')},
      classification = ${ever('classification', 'min')}, title = ${ever('title', 'max')}
    where project_id = ${projectId} and url in (
      select url from tracking_page_daily where project_id = ${projectId} and day >= ${from})`.execute(db)

  type Bound = number | string | null
  const bounds = await sql<{ kept: Bound; first: Bound; last: Bound }>`select
      (select max(day) from tracking_page_running where project_id = ${projectId}) as kept,
      (select min(day) from tracking_page_daily where project_id = ${projectId}) as first,
      (select max(day) from tracking_page_daily where project_id = ${projectId}) as last`.execute(db)
  const [kept, first, last] = (['kept', 'first', 'last'] as const).map((k) => {
    const value = bounds.rows[0]?.[k]
    return value == null ? null : Number(value)
  })
  // A new last day extends every page's totals, from the day after the old last one; nothing precedes the first.
  const start = Math.max(kept == null ? from : Math.min(from, kept + dayMs), first ?? from)
  await sql`delete from tracking_page_running where project_id = ${projectId} and day >= ${start}`.execute(db)
  if (last == null || last < start) return
  const running = (column: string) =>
    sql`coalesce(before.${sql.raw(column)}_to_date, 0)
      + coalesce(sum(cited.${sql.raw(column)}) over (partition by p.url order by days.day), 0)`
  await sql`with recursive days (day) as (
      select cast(${start} as bigint) union all select day + ${dayMs} from days where day < ${last}
    )
    insert into tracking_page_running (project_id, day, url, citations_to_date, rank_sum_to_date, top3_to_date)
    select project_id, day, url, citations, rank_sum, top3 from (
      select p.project_id, days.day, p.url, ${running('citations')} as citations,
        ${running('rank_sum')} as rank_sum, ${running('top3')} as top3
      from tracking_pages p
      cross join days
      left join tracking_page_running before
        on before.project_id = p.project_id and before.day = ${start - dayMs} and before.url = p.url
      left join (
        select url, day, sum(citations) as citations, sum(rank_sum) as rank_sum, sum(top3_count) as top3
        from tracking_page_daily
        where project_id = ${projectId} and day >= ${start}
        group by url, day
      ) cited on cited.url = p.url and cited.day = days.day
      where p.project_id = ${projectId}
    ) totals
    where citations > 0`.execute(db)
}

export interface RankedPage {
  url: string
  domain: string
  classification: string
  title: string
  count: number
  rankSum: number
  top3: number
}

/** One project's pages ranked by their citations in `from`..`to`, and how many pages were cited at all. */
export async function rankPagesByCitations(
  db: Kysely<KeywardTables>,
  window: { projectId: string; from: number; to: number },
  page: { limit: number; offset: number },
): Promise<{ pages: RankedPage[]; totalCount: number }> {
  const { projectId, from, to } = window
  const last = await db
    .selectFrom('tracking_page_running')
    .select((eb) => eb.fn.max('day').as('day'))
    .where('project_id', '=', projectId)
    .where('day', '<=', to)
    .executeTakeFirst()
  const lastDay = last?.day == null ? null : Number(last.day)
  if (lastDay === null || lastDay < from) return { pages: [], totalCount: 0 }
  // Both days' rows in one range scan of the (project, day, url) key: the last day's totals count up, the totals of
  // the day before the window count down.
  const inWindow = (column: string) =>
    sql`sum(case when day = ${lastDay} then ${sql.raw(column)}_to_date else -${sql.raw(column)}_to_date end)`
  type Row = Omit<RankedPage, 'count' | 'rankSum' | 'top3'> &
    Record<'count' | 'rankSum' | 'top3' | 'pages', unknown>
  const result = await sql<Row>`
    select counted.*, p.domain, p.classification, p.title, count(*) over () as pages from (
      select url, ${inWindow('citations')} as count, ${inWindow('rank_sum')} as "rankSum",
        ${inWindow('top3')} as top3
      from tracking_page_running
      where project_id = ${projectId} and day in (${lastDay}, ${from - dayMs})
      group by url
    ) counted
    join tracking_pages p on p.project_id = ${projectId} and p.url = counted.url
    where count > 0
    order by count desc, url
    limit ${page.limit} offset ${page.offset}`.execute(db)
  const first = result.rows[0]
  const totalCount = first
    ? Number(first.pages)
    : page.offset === 0
      ? 0
      : (await rankPagesByCitations(db, window, { limit: 1, offset: 0 })).totalCount
  return {
    pages: result.rows.map((r) => ({
      url: r.url,
      domain: r.domain,
      classification: r.classification,
      title: r.title,
      count: Number(r.count),
      rankSum: Number(r.rankSum),
      top3: Number(r.top3),
    })),
    totalCount,
  }
}
