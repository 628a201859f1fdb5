import type { Kysely } from 'kysely'
import type { TrackingResult } from '../../core/analytics/model.ts'
import type { TrackingStore } from '../../core/analytics/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { rebuildTrackingRollups } from './tracking-rollups.ts'

/** 11 columns × 250 rows stays well under SQLite's and Postgres's bound-parameter limits. */
const rowsPerStatement = 250

async function insertChunked<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += rowsPerStatement) await insert(rows.slice(i, i + rowsPerStatement))
}

export type TrackingResults = Pick<TrackingStore, 'replaceResults' | 'countResults'>

/** The tracking runs and their citations, written with the rollups of their days. */
export function trackingResults(db: Kysely<KeywardTables>): TrackingResults {
  return {
    async replaceResults(incoming: readonly TrackingResult[]) {
      // The raw rows and the rollups of their days change together: in the caller's transaction, or in one of ours.
      if (!db.isTransaction)
        return db.transaction().execute((trx) => trackingResults(trx).replaceResults(incoming))
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
      return Number(row?.n ?? 0)
    },
  }
}
