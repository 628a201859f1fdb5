import type { Kysely } from 'kysely'
import type { Actor, ManagementEvent } from '../../core/model.ts'
import type { EventStore } from '../../core/ports.ts'
import type { KeywardTables } from '../schema.ts'

type Row = KeywardTables['management_events']

const toActor = (row: Row): Actor =>
  row.actor_type === 'user' && row.actor_id ? { kind: 'user', userId: row.actor_id } : { kind: 'operator' }

export function eventStore(db: Kysely<KeywardTables>): EventStore {
  return {
    async append(e) {
      await db
        .insertInto('management_events')
        .values({
          id: e.id,
          account_id: e.accountId,
          actor_type: e.actor.kind,
          actor_id: e.actor.kind === 'user' ? e.actor.userId : null,
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
      return rows.map(
        (r): ManagementEvent => ({
          id: r.id,
          accountId: r.account_id,
          actor: toActor(r),
          action: r.action as ManagementEvent['action'],
          targetType: r.target_type as ManagementEvent['targetType'],
          targetId: r.target_id,
          details: JSON.parse(r.details),
          at: r.created_at,
        }),
      )
    },
  }
}
