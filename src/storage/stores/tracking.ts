import { type Kysely, sql } from 'kysely'
import type { Classification, TrackingResult } from '../../core/analytics/model.ts'
import type { TrackingFilter, TrackingStore } from '../../core/analytics/ports.ts'
import type { KeywardTables } from '../schema.ts'

/** 11 columns × 250 rows stays well under SQLite's and Postgres's bound-parameter limits. */
const rowsPerStatement = 250
const num = (value: unknown) => Number(value ?? 0)
const countWhere = (classification: Classification) =>
  sql<number>`sum(case when classification = ${classification} then 1 else 0 end)`

async function insertChunked<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += rowsPerStatement) await insert(rows.slice(i, i + rowsPerStatement))
}

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
      const runs = await results(f)
        .select((eb) => [
          eb.fn.countAll().as('runs'),
          eb.fn.sum('brand_mentioned').as('brand'),
          eb.fn.sum('competitor_mentions').as('competitors'),
          eb.fn.count('position').as('positioned'),
          eb.fn.sum('position').as('positionSum'),
        ])
        .executeTakeFirst()
      const cited = await citations(f)
        .select([
          countWhere('primary').as('primary'),
          countWhere('competitor').as('competitor'),
          countWhere('other').as('other'),
        ])
        .executeTakeFirst()
      return {
        runs: num(runs?.runs),
        brandMentions: num(runs?.brand),
        competitorMentions: num(runs?.competitors),
        positionedRuns: num(runs?.positioned),
        positionSum: num(runs?.positionSum),
        citations: {
          primary: num(cited?.primary),
          competitor: num(cited?.competitor),
          other: num(cited?.other),
        },
      }
    },
    async presenceGrid(f, groupBy) {
      const column = groupBy === 'topic' ? 'topic_id' : 'prompt_id'
      const rows = await results(f)
        .select((eb) => [
          eb.ref(column).as('key'),
          'platform',
          eb.fn.countAll().as('runs'),
          eb.fn.sum('brand_mentioned').as('mentions'),
        ])
        .groupBy([column, 'platform'])
        .execute()
      return rows.map((r) => ({
        key: r.key,
        platform: r.platform,
        runs: num(r.runs),
        mentions: num(r.mentions),
      }))
    },
    async citationTotals(f) {
      const row = await citations(f)
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
          eb.fn.avg('rank').as('avgRank'),
          sql<number>`sum(case when rank <= 3 then 1 else 0 end)`.as('top3'),
        ])
        .groupBy('url')
        .orderBy('count', 'desc')
        .orderBy('url')
        .limit(page.limit)
        .offset(page.offset)
        .execute()
      return {
        totalCount: num(total?.n),
        rows: rows.map((r) => ({
          url: r.url,
          domain: r.domain,
          title: r.title,
          classification: r.classification as Classification,
          count: num(r.count),
          avgRank: Math.round(num(r.avgRank) * 100) / 100,
          top3Count: num(r.top3),
        })),
      }
    },
    async topDomains(f, page) {
      const total = await citations(f)
        .select((eb) => eb.fn.count('domain').distinct().as('n'))
        .executeTakeFirst()
      const rows = await citations(f)
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
      const rows = await citations(f)
        .select((eb) => ['day', 'classification', eb.fn.countAll().as('count')])
        .groupBy(['day', 'classification'])
        .orderBy('day')
        .execute()
      return rows.map((r) => ({
        day: num(r.day),
        classification: r.classification as Classification,
        count: num(r.count),
      }))
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
