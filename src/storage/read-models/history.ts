import type { Kysely } from 'kysely'
import type { HistoryLog } from '../../core/read-models/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { toEvent } from '../stores/events.ts'

export function historyLog(db: Kysely<KeywardTables>): HistoryLog {
  return {
    async list({ accountId, targetType, targetId, limit }) {
      const rows = await db
        .selectFrom('management_events')
        .selectAll()
        .where('account_id', '=', accountId)
        .$if(targetType !== undefined, (q) => q.where('target_type', '=', targetType as string))
        .$if(targetId !== undefined, (q) => q.where('target_id', '=', targetId as string))
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
