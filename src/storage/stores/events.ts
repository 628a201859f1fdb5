import type { Kysely } from 'kysely'
import type { EventActor, ManagementEvent } from '../../core/model.ts'
import type { EventStore } from '../../core/ports.ts'
import type { KeywardTables } from '../schema.ts'

type Row = KeywardTables['management_events']

function toActor(row: Row): EventActor {
  if (row.actor_type === 'user' && row.actor_id) return { kind: 'user', userId: row.actor_id }
  if (row.actor_type === 'key' && row.actor_id) return { kind: 'key', keyId: row.actor_id }
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

export function eventStore(db: Kysely<KeywardTables>): EventStore {
  return {
    async append(e) {
      await db
        .insertInto('management_events')
        .values({
          id: e.id,
          account_id: e.accountId,
          actor_type: e.actor.kind,
          actor_id: e.actor.kind === 'user' ? e.actor.userId : e.actor.kind === 'key' ? e.actor.keyId : null,
          action: e.action,
          target_type: e.targetType,
          target_id: e.targetId,
          details: JSON.stringify(e.details),
          created_at: e.at,
        })
        .execute()
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
  }
}
