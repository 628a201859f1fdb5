import type { Kysely } from 'kysely'
import type { WebhookListing } from '../../core/read-models/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { columns, toWebhook } from '../stores/webhooks.ts'

type Row = Omit<KeywardTables['webhooks'], 'secret'> & { project_name: string; account_id: string }

const toRow = (r: Row) => ({ ...toWebhook(r), projectName: r.project_name, accountId: r.account_id })

export function webhookListing(db: Kysely<KeywardTables>): WebhookListing {
  const withProject = () =>
    db
      .selectFrom('webhooks')
      .innerJoin('projects', 'projects.id', 'webhooks.project_id')
      .select(columns.map((c) => `webhooks.${c}` as const))
      .select(['projects.name as project_name', 'projects.account_id'])
  return {
    async listByAccount(accountId, { hideInactive }) {
      const rows = await withProject()
        .where('projects.account_id', '=', accountId)
        .$if(hideInactive, (q) => q.where('webhooks.is_active', '=', 1))
        .orderBy('webhooks.created_at', 'desc')
        .execute()
      return rows.map(toRow)
    },
    async findRow(webhookId) {
      const row = await withProject().where('webhooks.id', '=', webhookId).executeTakeFirst()
      return row && toRow(row)
    },
    async attempts(webhookId, limit) {
      const rows = await db
        .selectFrom('webhook_attempts')
        .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
        .selectAll('webhook_attempts')
        .select('webhook_deliveries.event')
        .where('webhook_deliveries.webhook_id', '=', webhookId)
        .orderBy('webhook_attempts.at', 'desc')
        .limit(limit)
        .execute()
      return rows.map((r) => ({
        id: r.id,
        deliveryId: r.delivery_id,
        event: r.event,
        attempt: r.attempt,
        at: r.at,
        statusCode: r.status_code,
        durationMs: r.duration_ms,
        error: r.error,
      }))
    },
  }
}
