import { type Kysely, sql } from 'kysely'
import type { WebhookStore } from '../../core/ports.ts'
import type { Webhook, WebhookEvent } from '../../core/webhooks.ts'
import { databaseKind } from '../dialect.ts'
import { webhookChangeChannel } from '../key-change-listener.ts'
import { preparedQuery } from '../prepared-query.ts'
import type { KeywardTables } from '../schema.ts'

/** Every column but the secret, which only the delivery worker reads (`secretOf`). */
export const columns = ['id', 'project_id', 'url', 'events', 'is_active', 'created_at', 'updated_at'] as const

export const toWebhook = (row: Omit<KeywardTables['webhooks'], 'secret'>): Webhook => ({
  id: row.id,
  projectId: row.project_id,
  url: row.url,
  events: JSON.parse(row.events) as WebhookEvent[],
  isActive: row.is_active === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

export function webhookStore(db: Kysely<KeywardTables>): WebhookStore {
  // Postgres: other nodes cache each project's list; every change tells them which project, delivered at commit.
  const announce =
    databaseKind(db) === 'postgres'
      ? async (projectIdOrWebhook: { projectId: string } | { webhookId: string }) => {
          if ('projectId' in projectIdOrWebhook)
            await sql`select pg_notify(${webhookChangeChannel}, ${projectIdOrWebhook.projectId})`.execute(db)
          else
            await sql`select pg_notify(${webhookChangeChannel}, project_id) from webhooks
              where id = ${projectIdOrWebhook.webhookId}`.execute(db)
        }
      : async () => {}
  // The public API's list endpoint: compiled once.
  const activeOf = preparedQuery(db, 1, (projectId: string) =>
    db
      .selectFrom('webhooks')
      .select(columns)
      .where('project_id', '=', projectId)
      .where('is_active', '=', 1)
      .orderBy('created_at')
      .orderBy('id'),
  )
  return {
    async insert(w, secret) {
      await db
        .insertInto('webhooks')
        .values({
          id: w.id,
          project_id: w.projectId,
          url: w.url,
          events: JSON.stringify(w.events),
          secret,
          is_active: w.isActive ? 1 : 0,
          created_at: w.createdAt,
          updated_at: w.updatedAt,
        })
        .execute()
      await announce({ projectId: w.projectId })
    },
    async findById(id) {
      const row = await db.selectFrom('webhooks').select(columns).where('id', '=', id).executeTakeFirst()
      return row && toWebhook(row)
    },
    async listActive(projectId) {
      return (await activeOf(projectId)).map(toWebhook)
    },
    async deactivate(id, at) {
      await db.updateTable('webhooks').set({ is_active: 0, updated_at: at }).where('id', '=', id).execute()
      await announce({ webhookId: id })
    },
    async replaceSecret(id, secret, at) {
      await db.updateTable('webhooks').set({ secret, updated_at: at }).where('id', '=', id).execute()
      await announce({ webhookId: id })
    },
    async secretOf(id) {
      const row = await db.selectFrom('webhooks').select('secret').where('id', '=', id).executeTakeFirst()
      return row?.secret
    },
  }
}
