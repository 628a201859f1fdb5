import { type Kysely, sql } from 'kysely'
import type { Classification } from '../../core/analytics/model.ts'
import type { TrackingFilter, TrackingStore } from '../../core/analytics/ports.ts'
import { rankPagesByCitations } from '../page-running-totals.ts'
import type { KeywardTables } from '../schema.ts'
import { filteredRows } from './tracking-filter.ts'

const num = (value: unknown) => Number(value ?? 0)
const countWhere = (classification: Classification) =>
  sql<number>`sum(case when classification = ${classification} then 1 else 0 end)`
const sumWhere = (classification: Classification) =>
  sql<number>`sum(case when classification = ${classification} then citations else 0 end)`

const pageRow = (r: {
  url: string
  domain: string
  title: string
  classification: string
  count: unknown
  rankSum: unknown
  top3: unknown
}) => ({
  url: r.url,
  domain: r.domain,
  title: r.title,
  classification: r.classification as Classification,
  count: num(r.count),
  // The mean rank, as avg(rank) would give it: the rank sum over the citations.
  avgRank: Math.round((num(r.rankSum) / num(r.count)) * 100) / 100,
  top3Count: num(r.top3),
})

/**
 * Per day × page, the page rollup has citations by URL, domain and classification, but not by platform or topic. A
 * platform or topic filter therefore reads the raw citations instead; the unfiltered default is what the large
 * windows ask for.
 */
const pageRollupFits = (f: TrackingFilter) => f.platform === undefined && f.topicId === undefined

export type TrackingReads = Omit<
  TrackingStore,
  'insertTopics' | 'insertPrompts' | 'listTopics' | 'listPrompts' | 'replaceResults' | 'countResults'
>

/** The visibility, citation and presence figures: from the daily rollups where they can answer, else the raw rows. */
export function trackingReads(db: Kysely<KeywardTables>): TrackingReads {
  return {
    async totals(f) {
      // Unfiltered, one row per day; with a platform or topic filter, per day × platform × topic. Both tables have
      // the summed columns.
      const unfiltered = f.platform === undefined && f.topicId === undefined
      const table = unfiltered ? 'tracking_day_totals' : 'tracking_daily'
      const row = await filteredRows(db, table, f)
        .select((eb) => [
          eb.fn.sum('runs').as('runs'),
          eb.fn.sum('brand_mentions').as('brand'),
          eb.fn.sum('competitor_mentions').as('competitors'),
          eb.fn.sum('positioned_runs').as('positioned'),
          eb.fn.sum('position_sum').as('positionSum'),
          eb.fn.sum('primary_citations').as('primary'),
          eb.fn.sum('competitor_citations').as('competitor'),
          eb.fn.sum('other_citations').as('other'),
        ])
        .executeTakeFirst()
      return {
        runs: num(row?.runs),
        brandMentions: num(row?.brand),
        competitorMentions: num(row?.competitors),
        positionedRuns: num(row?.positioned),
        positionSum: num(row?.positionSum),
        citations: {
          primary: num(row?.primary),
          competitor: num(row?.competitor),
          other: num(row?.other),
        },
      }
    },
    async presenceGrid(f, groupBy) {
      if (groupBy === 'topic') {
        const rows = await filteredRows(db, 'tracking_daily', f)
          .select((eb) => [
            'topic_id',
            'platform',
            eb.fn.sum('runs').as('runs'),
            eb.fn.sum('brand_mentions').as('mentions'),
          ])
          .groupBy(['topic_id', 'platform'])
          .execute()
        return rows.map((r) => ({
          key: r.topic_id,
          platform: r.platform,
          runs: num(r.runs),
          mentions: num(r.mentions),
        }))
      }
      const rows = await filteredRows(db, 'tracking_results', f)
        .select((eb) => [
          'prompt_id',
          'platform',
          eb.fn.countAll().as('runs'),
          eb.fn.sum('brand_mentioned').as('mentions'),
        ])
        .groupBy(['prompt_id', 'platform'])
        .execute()
      return rows.map((r) => ({
        key: r.prompt_id,
        platform: r.platform,
        runs: num(r.runs),
        mentions: num(r.mentions),
      }))
    },
    async citationTotals(f) {
      // Callers may pass a classification along with the filter (top domains does); both sources honour it.
      const row = pageRollupFits(f)
        ? await filteredRows(db, 'tracking_page_daily', f)
            .select((eb) => [
              sumWhere('primary').as('primary'),
              sumWhere('competitor').as('competitor'),
              sumWhere('other').as('other'),
              eb.fn.count('url').distinct().as('pages'),
              eb.fn.count('domain').distinct().as('domains'),
            ])
            .executeTakeFirst()
        : await filteredRows(db, 'tracking_citations', f)
            .select((eb) => [
              countWhere('primary').as('primary'),
              countWhere('competitor').as('competitor'),
              countWhere('other').as('other'),
              eb.fn.count('url').distinct().as('pages'),
              eb.fn.count('domain').distinct().as('domains'),
            ])
            .executeTakeFirst()
      return {
        citations: { primary: num(row?.primary), competitor: num(row?.competitor), other: num(row?.other) },
        uniquePages: num(row?.pages),
        uniqueDomains: num(row?.domains),
      }
    },
    async topPages(f, page) {
      if (pageRollupFits(f) && f.classification === undefined) {
        // Running totals: two days' rows per page, whatever the window's length.
        const { pages: ranked, totalCount } = await rankPagesByCitations(db, f, page)
        return { totalCount, rows: ranked.map(pageRow) }
      }
      const total = await filteredRows(db, 'tracking_citations', f)
        .select((eb) => eb.fn.count('url').distinct().as('n'))
        .executeTakeFirst()
      const rows = await filteredRows(db, 'tracking_citations', f)
        .select((eb) => [
          'url',
          eb.fn.min('domain').as('domain'),
          eb.fn.max('title').as('title'),
          eb.fn.min('classification').as('classification'),
          eb.fn.countAll().as('count'),
          eb.fn.sum('rank').as('rankSum'),
          sql<number>`sum(case when rank <= 3 then 1 else 0 end)`.as('top3'),
        ])
        .groupBy('url')
        .orderBy('count', 'desc')
        .orderBy('url')
        .limit(page.limit)
        .offset(page.offset)
        .execute()
      return { totalCount: num(total?.n), rows: rows.map(pageRow) }
    },
    async topDomains(f, page) {
      const rollup = pageRollupFits(f)
      const total = rollup
        ? await filteredRows(db, 'tracking_page_daily', f)
            .select((eb) => eb.fn.count('domain').distinct().as('n'))
            .executeTakeFirst()
        : await filteredRows(db, 'tracking_citations', f)
            .select((eb) => eb.fn.count('domain').distinct().as('n'))
            .executeTakeFirst()
      const rows = rollup
        ? await filteredRows(db, 'tracking_page_daily', f)
            .select((eb) => [
              'domain',
              eb.fn.min('classification').as('classification'),
              eb.fn.sum('citations').as('count'),
              eb.fn.count('url').distinct().as('pages'),
            ])
            .groupBy('domain')
            .orderBy('count', 'desc')
            .orderBy('domain')
            .limit(page.limit)
            .offset(page.offset)
            .execute()
        : await filteredRows(db, 'tracking_citations', f)
            .select((eb) => [
              'domain',
              eb.fn.min('classification').as('classification'),
              eb.fn.countAll().as('count'),
              eb.fn.count('url').distinct().as('pages'),
            ])
            .groupBy('domain')
            .orderBy('count', 'desc')
            .orderBy('domain')
            .limit(page.limit)
            .offset(page.offset)
            .execute()
      return {
        totalCount: num(total?.n),
        rows: rows.map((r) => ({
          domain: r.domain,
          classification: r.classification as Classification,
          count: num(r.count),
          pages: num(r.pages),
        })),
      }
    },
    async citationsByDay(f) {
      const rows = await filteredRows(db, 'tracking_daily', f)
        .select((eb) => [
          'day',
          eb.fn.sum('primary_citations').as('primary'),
          eb.fn.sum('competitor_citations').as('competitor'),
          eb.fn.sum('other_citations').as('other'),
        ])
        .groupBy('day')
        .orderBy('day')
        .execute()
      const classes: Classification[] = ['primary', 'competitor', 'other']
      return rows.flatMap((r) =>
        classes
          .map((classification) => ({ day: num(r.day), classification, count: num(r[classification]) }))
          .filter((c) => c.count > 0),
      )
    },
    async citationsOfUrl(projectId, url, from, to) {
      const row = await db
        .selectFrom('tracking_citations')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('project_id', '=', projectId)
        .where('url', '=', url)
        .where('day', '>=', from)
        .where('day', '<=', to)
        .executeTakeFirst()
      return num(row?.n)
    },
    async promptPresence(f) {
      const rows = await filteredRows(db, 'tracking_results', f)
        .select((eb) => [
          'prompt_id',
          eb.fn.countAll().as('runs'),
          eb.fn.sum('brand_mentioned').as('mentions'),
        ])
        .groupBy('prompt_id')
        .execute()
      const texts = new Map(
        (
          await db
            .selectFrom('analytics_prompts')
            .select(['id', 'text'])
            .where('project_id', '=', f.projectId)
            .execute()
        ).map((p) => [p.id, p.text]),
      )
      return rows
        .map((r) => ({
          promptId: r.prompt_id,
          text: texts.get(r.prompt_id) ?? r.prompt_id,
          runs: num(r.runs),
          mentions: num(r.mentions),
        }))
        .sort((a, b) => a.mentions / a.runs - b.mentions / b.runs || a.text.localeCompare(b.text))
    },
  }
}
