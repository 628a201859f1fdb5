import type { Kysely } from 'kysely'
import type { WebhookDeliveryStore } from '../../core/ports.ts'
import type {
  DeliveryEvent,
  DeliveryState,
  WebhookAttempt,
  WebhookDelivery,
} from '../../core/webhook-delivery.ts'
import type { KeywardTables } from '../schema.ts'

const toDelivery = (row: KeywardTables['webhook_deliveries']): WebhookDelivery => ({
  id: row.id,
  webhookId: row.webhook_id,
  event: row.event as DeliveryEvent,
  body: row.body,
  state: row.state as DeliveryState,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
})

const toAttempt = (row: KeywardTables['webhook_attempts']): WebhookAttempt => ({
  id: row.id,
  deliveryId: row.delivery_id,
  attempt: row.attempt,
  at: row.at,
  statusCode: row.status_code,
  durationMs: row.duration_ms,
  error: row.error,
})

export function webhookDeliveryStore(db: Kysely<KeywardTables>): WebhookDeliveryStore {
  return {
    async insert(d) {
      await db
        .insertInto('webhook_deliveries')
        .values({
          id: d.id,
          webhook_id: d.webhookId,
          event: d.event,
          body: d.body,
          state: d.state,
          attempts: d.attempts,
          next_attempt_at: d.nextAttemptAt,
          created_at: d.createdAt,
          finished_at: d.finishedAt,
        })
        .execute()
    },
    async findById(id) {
      const row = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      return row && toDelivery(row)
    },
    async listDue(at, limit) {
      // Served by the (state, next_attempt_at) index.
      const rows = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', at)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .execute()
      return rows.map(toDelivery)
    },
    async claim(id, from, leaseUntil) {
      // Compare-and-set: on Postgres a concurrent claimer blocks on the row lock, then re-checks the WHERE against
      // the committed row and updates nothing.
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: leaseUntil })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('next_attempt_at', '=', from)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async settle(id, lease, outcome) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({
          state: outcome.state,
          next_attempt_at: outcome.nextAttemptAt,
          finished_at: outcome.finishedAt,
        })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('next_attempt_at', '=', lease)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async countAttempt(id) {
      // An increment, not a value computed from what the caller read: two late attempts both count.
      const row = await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .returning('attempts')
        .executeTakeFirstOrThrow()
      return row.attempts
    },
    async cancelPending(webhookId, at) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ state: 'cancelled', next_attempt_at: null, finished_at: at })
        .where('webhook_id', '=', webhookId)
        .where('state', '=', 'pending')
        .executeTakeFirst()
      return Number(result.numUpdatedRows)
    },
    async insertAttempt(a) {
      await db
        .insertInto('webhook_attempts')
        .values({
          id: a.id,
          delivery_id: a.deliveryId,
          attempt: a.attempt,
          at: a.at,
          status_code: a.statusCode,
          duration_ms: a.durationMs,
          error: a.error,
        })
        .execute()
    },
    async listAttempts(deliveryId) {
      const rows = await db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('delivery_id', '=', deliveryId)
        .orderBy('attempt')
        .orderBy('at')
        .execute()
      return rows.map(toAttempt)
    },
  }
}
