import { type Kysely, sql } from 'kysely'
import type { KeywardTables } from './schema.ts'

/**
 * Running citation totals per cited page (migration 0007), so that a window's figure for a page is two index seeks
 * — the total through the window's last day minus the total before its first — whatever the window's length.
 *
 * Recomputes one project's totals from `from` on (a write to day D changes every later total) and records the pages
 * it has not seen before. `tracking_page_daily` must already hold the new days. Run it in the writing transaction.
 */
export async function rebuildPageRunningTotals(
  db: Kysely<unknown>,
  projectId: string | null,
  from: number,
): Promise<void> {
  const project = projectId === null ? sql`true` : sql`project_id = ${projectId}`
  await sql`insert into tracking_pages (project_id, url)
    select distinct project_id, url from tracking_page_daily where ${project} and day >= ${from}
    on conflict do nothing`.execute(db)
  await sql`delete from tracking_page_running where ${project} and day >= ${from}`.execute(db)
  // The total before `from` (kept above) plus a running sum of the days from `from` on.
  await sql`insert into tracking_page_running (project_id, url, day, citations_to_date)
    select project_id, url, day,
      coalesce((select r.citations_to_date from tracking_page_running r
        where r.project_id = d.project_id and r.url = d.url and r.day < ${from}
        order by r.day desc limit 1), 0)
      + cast(sum(n) over (partition by project_id, url order by day) as bigint)
    from (
      select project_id, url, day, sum(citations) as n from tracking_page_daily
      where ${project} and day >= ${from}
      group by project_id, url, day
    ) d`.execute(db)
}

/** One project's pages ranked by their citations in `from`..`to`, and how many pages were cited at all. */
export async function rankPagesByCitations(
  db: Kysely<KeywardTables>,
  window: { projectId: string; from: number; to: number },
  page: { limit: number; offset: number },
): Promise<{ urls: Array<{ url: string; count: number }>; totalCount: number }> {
  const totalThrough = (bound: ReturnType<typeof sql>) => sql<number>`coalesce((
    select r.citations_to_date from tracking_page_running r
    where r.project_id = p.project_id and r.url = p.url and ${bound}
    order by r.day desc limit 1), 0)`
  const rows = await sql<{ url: string; count: number | string; pages: number | string }>`
    select url, count, count(*) over () as pages from (
      select p.url, ${totalThrough(sql`r.day <= ${window.to}`)} - ${totalThrough(sql`r.day < ${window.from}`)} as count
      from tracking_pages p where p.project_id = ${window.projectId}
    ) w
    where count > 0
    order by count desc, url
    limit ${page.limit} offset ${page.offset}`.execute(db)
  const first = rows.rows[0]
  const totalCount = first
    ? Number(first.pages)
    : page.offset === 0
      ? 0
      : Number(
          (
            await sql<{ n: number | string }>`select count(*) as n from (
              select ${totalThrough(sql`r.day <= ${window.to}`)} - ${totalThrough(sql`r.day < ${window.from}`)} as count
              from tracking_pages p where p.project_id = ${window.projectId}) w where count > 0`.execute(db)
          ).rows[0]?.n ?? 0,
        )
  return { urls: rows.rows.map((r) => ({ url: r.url, count: Number(r.count) })), totalCount }
}
