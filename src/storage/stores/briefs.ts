import type { Kysely } from 'kysely'
import type { Brief } from '../../core/analytics/model.ts'
import type { BriefStore } from '../../core/analytics/ports.ts'
import type { KeywardTables } from '../schema.ts'

export function briefStore(db: Kysely<KeywardTables>): BriefStore {
  return {
    async find(actionId) {
      const r = await db
        .selectFrom('action_briefs')
        .selectAll()
        .where('action_id', '=', actionId)
        .executeTakeFirst()
      return (
        r && {
          actionId: r.action_id,
          projectId: r.project_id,
          status: r.status as Brief['status'],
          markdown: r.markdown,
          attempts: Number(r.attempts),
          leaseUntil: r.lease_until === null ? null : Number(r.lease_until),
          updatedAt: Number(r.updated_at),
        }
      )
    },
    async enqueue({ actionId, projectId, at }) {
      const result = await db
        .insertInto('action_briefs')
        .values({
          action_id: actionId,
          project_id: projectId,
          status: 'queued',
          markdown: null,
          attempts: 0,
          lease_until: null,
          updated_at: at,
        })
        .onConflict((oc) => oc.column('action_id').doNothing())
        .executeTakeFirst()
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
    },
    async listNeedingWork(now, limit) {
      const rows = await db
        .selectFrom('action_briefs')
        .select('action_id')
        .where((eb) =>
          eb.or([
            eb('status', '=', 'queued'),
            eb.and([eb('status', '=', 'generating'), eb('lease_until', '<', now)]),
          ]),
        )
        .limit(limit)
        .execute()
      return rows.map((r) => r.action_id)
    },
    async claim(actionId, now, leaseUntil) {
      const result = await db
        .updateTable('action_briefs')
        .set((eb) => ({
          status: 'generating',
          lease_until: leaseUntil,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('action_id', '=', actionId)
        .where((eb) =>
          eb.or([
            eb('status', '=', 'queued'),
            eb.and([eb('status', '=', 'generating'), eb('lease_until', '<', now)]),
          ]),
        )
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async complete(actionId, lease, markdown, at) {
      const result = await db
        .updateTable('action_briefs')
        .set({ status: 'ready', markdown, lease_until: null, updated_at: at })
        .where('action_id', '=', actionId)
        .where('status', '=', 'generating')
        .where('lease_until', '=', lease)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
  }
}
