import type { Kysely } from 'kysely'
import { managementStreamLine } from '../../core/audit-stream.ts'
import { type EventActor, eventActorId, isSystemActorName } from '../../core/events.ts'
import { isRelayedAction } from '../../core/key-events.ts'
import type { ManagementEvent } from '../../core/model.ts'
import type { EventStore } from '../../core/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { insertOutbox } from './audit-outbox.ts'
import { insertKeyEvent } from './notices.ts'

type Row = KeywardTables['management_events']

function toActor(row: Row): EventActor {
  if (row.actor_type === 'user' && row.actor_id) return { kind: 'user', userId: row.actor_id }
  if (row.actor_type === 'key' && row.actor_id) return { kind: 'key', keyId: row.actor_id }
  if (row.actor_type === 'system' && isSystemActorName(row.actor_id))
    return { kind: 'system', name: row.actor_id }
  return { kind: 'operator' }
}

export const toEvent = (r: Row): ManagementEvent => ({
  id: r.id,
  accountId: r.account_id,
  actor: toActor(r),
  action: r.action as ManagementEvent['action'],
  targetType: r.target_type as ManagementEvent['targetType'],
  targetId: r.target_id,
  details: JSON.parse(r.details),
  at: r.created_at,
})

/** Events deleted per statement by the retention job. */
const eventsPerDelete = 2000

/** `streamed`: KEYWARD_AUDIT_STREAM_URL is set, so every event also goes to the audit stream's outbox. */
export function eventStore(db: Kysely<KeywardTables>, options: { streamed?: boolean } = {}): EventStore {
  return {
    async append(e) {
      // Callers append inside the transaction of the change they record (`db` is it), so the event, the change and
      // the outbox line commit together.
      if (options.streamed) {
        const { eventId, line, at } = managementStreamLine(e)
        await insertOutbox(db, [{ event_id: eventId, line, created_at: at }])
      }
      await db
        .insertInto('management_events')
        .values({
          id: e.id,
          account_id: e.accountId,
          actor_type: e.actor.kind,
          actor_id: eventActorId(e.actor),
          action: e.action,
          target_type: e.targetType,
          target_id: e.targetId,
          details: JSON.stringify(e.details),
          created_at: e.at,
        })
        .execute()
      // Key lifecycle webhooks and mails (core/key-events.ts) are relayed from this outbox row.
      if (isRelayedAction(e.action)) await insertKeyEvent(db, e)
    },
    async listByAccount(accountId, limit) {
      const rows = await db
        .selectFrom('management_events')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute()
      return rows.map(toEvent)
    },
    async deleteBefore(at) {
      // The append-only guard lets a delete through only below the cutoff in management_events_prune (0013), a row
      // that exists only inside this transaction. Slices keep each transaction short.
      let deleted = 0
      for (;;) {
        const slice = await db.transaction().execute(async (trx) => {
          await trx.insertInto('management_events_prune').values({ before: at }).execute()
          const result = await trx
            .deleteFrom('management_events')
            .where('id', 'in', (eb) =>
              eb
                .selectFrom('management_events')
                .select('id')
                .where('created_at', '<', at)
                .limit(eventsPerDelete),
            )
            .executeTakeFirst()
          await trx.deleteFrom('management_events_prune').execute()
          return Number(result.numDeletedRows)
        })
        deleted += slice
        if (slice < eventsPerDelete) return deleted
      }
    },
  }
}
