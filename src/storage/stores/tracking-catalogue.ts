import type { Kysely } from 'kysely'
import type { TrackingStore } from '../../core/analytics/ports.ts'
import type { KeywardTables } from '../schema.ts'

export type TrackingCatalogue = Pick<
  TrackingStore,
  'insertTopics' | 'insertPrompts' | 'listTopics' | 'listPrompts'
>

/** A project's topics and the prompts tracked under them. */
export function trackingCatalogue(db: Kysely<KeywardTables>): TrackingCatalogue {
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
  }
}
