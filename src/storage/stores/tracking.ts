import { type Kysely, sql } from 'kysely'
import type { Classification, TrackingResult } from '../../core/analytics/model.ts'
import type { TrackingFilter, TrackingStore } from '../../core/analytics/ports.ts'
import { rankPagesByCitations } from '../page-running-totals.ts'
import type { KeywardTables } from '../schema.ts'
import { rebuildTrackingRollups } from './tracking-rollups.ts'

/** 11 columns × 250 rows stays well under SQLite's and Postgres's bound-parameter limits. */
const rowsPerStatement = 250
const num = (value: unknown) => Number(value ?? 0)
const countWhere = (classification: Classification) =>
  sql<number>`sum(case when classification = ${classification} then 1 else 0 end)`
const sumWhere = (classification: Classification) =>
  sql<number>`sum(case when classification = ${classification} then citations else 0 end)`

async function insertChunked<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += rowsPerStatement) await insert(rows.slice(i, i + rowsPerStatement))
}

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

export function trackingStore(db: Kysely<KeywardTables>): TrackingStore {
  const results = (f: TrackingFilter) =>
    db
      .selectFrom('tracking_results')
      .where('project_id', '=', f.projectId)
      .where('day', '>=', f.from)
      .where('day', '<=', f.to)
      .$if(f.platform !== undefined, (q) => q.where('platform', '=', f.platform ?? ''))
      .$if(f.topicId !== undefined, (q) => q.where('topic_id', '=', f.topicId ?? ''))
  const citations = (f: TrackingFilter & { classification?: Classification }) =>
    db
      .selectFrom('tracking_citations')
      .where('project_id', '=', f.projectId)
      .where('day', '>=', f.from)
      .where('day', '<=', f.to)
      .$if(f.platform !== undefined, (q) => q.where('platform', '=', f.platform ?? ''))
      .$if(f.topicId !== undefined, (q) => q.where('topic_id', '=', f.topicId ?? ''))
      .$if(f.classification !== undefined, (q) => q.where('classification', '=', f.classification ?? ''))
  /** Per day × platform × topic: every run figure and the citation counts, with platform and topic filters. */
  const daily = (f: TrackingFilter, table: 'tracking_daily' = 'tracking_daily') =>
    db
      .selectFrom(table)
      .where('project_id', '=', f.projectId)
      .where('day', '>=', f.from)
      .where('day', '<=', f.to)
      .$if(f.platform !== undefined, (q) => q.where('platform', '=', f.platform ?? ''))
      .$if(f.topicId !== undefined, (q) => q.where('topic_id', '=', f.topicId ?? ''))
  /**
   * Per day × page: citations by URL, domain and classification, but not by platform or topic. A platform or topic
   * filter therefore reads the raw citations instead (`pageRollupFits` is false); the unfiltered default is what
   * the large windows ask for.
   */
  const pageRollupFits = (f: TrackingFilter) => f.platform === undefined && f.topicId === undefined
  const pages = (f: TrackingFilter & { classification?: Classification }) =>
    db
      .selectFrom('tracking_page_daily')
      .where('project_id', '=', f.projectId)
      .where('day', '>=', f.from)
      .where('day', '<=', f.to)
      .$if(f.classification !== undefined, (q) => q.where('classification', '=', f.classification ?? ''))

  return {
    async insertTopics(topics) {
      if (topics.length === 0) return
      await db
        .insertInto('analytics_topics')
        .values(
          topics.map((t) => ({ id: t.id, project_id: t.projectId, name: t.name, created_at: t.createdAt })),
        )
        .execute()
    },
    async insertPrompts(prompts) {
      if (prompts.length === 0) return
      await db
        .insertInto('analytics_prompts')
        .values(
          prompts.map((p) => ({
            id: p.id,
            project_id: p.projectId,
            topic_id: p.topicId,
            text: p.text,
            created_at: p.createdAt,
          })),
        )
        .execute()
    },
    async listTopics(projectId) {
      const rows = await db
        .selectFrom('analytics_topics')
        .selectAll()
        .where('project_id', '=', projectId)
        .orderBy('name')
        .orderBy('id')
        .execute()
      return rows.map((r) => ({ id: r.id, projectId: r.project_id, name: r.name, createdAt: r.created_at }))
    },
    async listPrompts(projectId) {
      const rows = await db
        .selectFrom('analytics_prompts')
        .selectAll()
        .where('project_id', '=', projectId)
        .orderBy('text')
        .orderBy('id')
        .execute()
      return rows.map((r) => ({
        id: r.id,
        projectId: r.project_id,
        topicId: r.topic_id,
        text: r.text,
        createdAt: r.created_at,
      }))
    },
    async replaceResults(incoming: readonly TrackingResult[]) {
      // The raw rows and the rollups of their days change together: in the caller's transaction, or in one of ours.
      if (!db.isTransaction)
        return db.transaction().execute((trx) => trackingStore(trx).replaceResults(incoming))
      const first = incoming[0]
      if (!first) return
      const days = incoming.map((r) => r.day)
      const runKey = (r: { day: number; platform: string; prompt_id: string }) =>
        `${r.day}|${r.platform}|${r.prompt_id}`
      const wanted = new Set(incoming.map((r) => runKey({ ...r, prompt_id: r.promptId })))
      const existing = await db
        .selectFrom('tracking_results')
        .select(['id', 'day', 'platform', 'prompt_id'])
        .where('project_id', '=', first.projectId)
        .where('day', '>=', Math.min(...days))
        .where('day', '<=', Math.max(...days))
        .execute()
      const replaced = existing.filter((r) => wanted.has(runKey(r))).map((r) => r.id)
      await insertChunked(replaced, async (ids) => {
        await db.deleteFrom('tracking_citations').where('result_id', 'in', ids).execute()
        await db.deleteFrom('tracking_results').where('id', 'in', ids).execute()
      })
      await insertChunked(incoming, (chunk) =>
        db
          .insertInto('tracking_results')
          .values(
            chunk.map((r) => ({
              id: r.id,
              project_id: r.projectId,
              day: r.day,
              platform: r.platform,
              topic_id: r.topicId,
              prompt_id: r.promptId,
              brand_mentioned: r.brandMentioned ? 1 : 0,
              position: r.position,
              competitors: JSON.stringify(r.competitors),
              competitor_mentions: r.competitors.length,
              created_at: r.createdAt,
            })),
          )
          .execute(),
      )
      const citationRows = incoming.flatMap((r) =>
        r.citations.map((c, i) => ({
          id: `${r.id}:${i + 1}`,
          result_id: r.id,
          project_id: r.projectId,
          day: r.day,
          platform: r.platform,
          topic_id: r.topicId,
          url: c.url,
          domain: c.domain,
          title: c.title,
          classification: c.classification,
          rank: i + 1,
        })),
      )
      await insertChunked(citationRows, (chunk) =>
        db.insertInto('tracking_citations').values(chunk).execute(),
      )
      // Replaced runs share their day with the runs replacing them, so these days cover every change.
      await rebuildTrackingRollups(db, first.projectId, Math.min(...days), Math.max(...days))
    },
    async countResults(projectId) {
      const row = await db
        .selectFrom('tracking_results')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('project_id', '=', projectId)
        .executeTakeFirst()
      return num(row?.n)
    },
    async totals(f) {
      // Unfiltered, one row per day; with a platform or topic filter, per day × platform × topic. Both tables have
      // the summed columns, and `daily` adds the platform and topic conditions only when they are given.
      const unfiltered = f.platform === undefined && f.topicId === undefined
      const table = (unfiltered ? 'tracking_day_totals' : 'tracking_daily') as 'tracking_daily'
      const row = await daily(f, table)
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
        const rows = await daily(f)
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
      const rows = await results(f)
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
        ? await pages(f)
            .select((eb) => [
              sumWhere('primary').as('primary'),
              sumWhere('competitor').as('competitor'),
              sumWhere('other').as('other'),
              eb.fn.count('url').distinct().as('pages'),
              eb.fn.count('domain').distinct().as('domains'),
            ])
            .executeTakeFirst()
        : await citations(f)
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
      const total = await citations(f)
        .select((eb) => eb.fn.count('url').distinct().as('n'))
        .executeTakeFirst()
      const rows = await citations(f)
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
        ? await pages(f)
            .select((eb) => eb.fn.count('domain').distinct().as('n'))
            .executeTakeFirst()
        : await citations(f)
            .select((eb) => eb.fn.count('domain').distinct().as('n'))
            .executeTakeFirst()
      const rows = rollup
        ? await pages(f)
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
        : await citations(f)
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
      const rows = await daily(f)
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
      const rows = await results(f)
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
