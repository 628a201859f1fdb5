import type { Kysely } from 'kysely'
import type { HistoryLog } from '../../core/read-models/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { toEvent } from '../stores/events.ts'

export function historyLog(db: Kysely<KeywardTables>): HistoryLog {
  return {
    async list({ accountId, targetType, targetId, action, actor, from, to, limit, before }) {
      const rows = await db
        .selectFrom('management_events')
        .selectAll()
        .where('account_id', '=', accountId)
        .$if(targetType !== undefined, (q) => q.where('target_type', '=', targetType as string))
        .$if(targetId !== undefined, (q) => q.where('target_id', '=', targetId as string))
        .$if(action !== undefined, (q) => q.where('action', '=', action as string))
        .$if(actor === 'operator', (q) => q.where('actor_type', '=', 'operator'))
        .$if(actor !== undefined && actor !== 'operator', (q) => q.where('actor_id', '=', actor as string))
        .$if(from !== undefined, (q) => q.where('created_at', '>=', from as number))
        .$if(to !== undefined, (q) => q.where('created_at', '<=', to as number))
        .$if(before !== undefined, (q) =>
          q.where((eb) =>
            eb.or([
              eb('created_at', '<', before?.at ?? 0),
              eb.and([eb('created_at', '=', before?.at ?? 0), eb('id', '<', before?.id ?? '')]),
            ]),
          ),
        )
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute()
      return rows.map(toEvent)
    },
    async userLabels(userIds) {
      if (userIds.length === 0) return new Map()
      const rows = await db
        .selectFrom('users')
        .select(['id', 'name', 'email'])
        .where('id', 'in', userIds)
        .execute()
      return new Map(
        rows.map((u) => [u.id, u.name && u.name !== u.email ? `${u.name} (${u.email})` : u.email]),
      )
    },
  }
}
