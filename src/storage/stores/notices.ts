import type { Kysely } from 'kysely'
import type { ManagementEvent } from '../../core/model.ts'
import type { NoticeStore } from '../../core/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { publicColumns, toApiKey } from './keys.ts'

/** Adds a key event to the relay's outbox on `db`, the transaction that appends it to history (0016). */
export async function insertKeyEvent(db: Kysely<KeywardTables>, event: ManagementEvent): Promise<void> {
  await db
    .insertInto('key_event_outbox')
    .values({ event: JSON.stringify(event), created_at: event.at })
    .execute()
}

export function noticeStore(db: Kysely<KeywardTables>): NoticeStore {
  return {
    async nextKeyEvents(limit) {
      const rows = await db
        .selectFrom('key_event_outbox')
        .select(['seq', 'event'])
        .orderBy('seq')
        .limit(limit)
        .execute()
      return rows.map((row) => ({ seq: Number(row.seq), event: JSON.parse(row.event) as ManagementEvent }))
    },
    async takeKeyEvent(seq) {
      // On Postgres a second relay's delete waits on the row lock and then deletes nothing: one relay per event.
      const result = await db.deleteFrom('key_event_outbox').where('seq', '=', seq).executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
    async keysExpiringBetween(after, before) {
      const rows = await db
        .selectFrom('api_keys')
        .innerJoin('projects', 'projects.id', 'api_keys.project_id')
        .select(publicColumns)
        .where('api_keys.revoked_at', 'is', null)
        .where('api_keys.expires_at', '>', after)
        .where('api_keys.expires_at', '<=', before)
        .orderBy('api_keys.expires_at')
        .execute()
      return rows.map(toApiKey)
    },
    async recordNotice({ keyId, kind, expiresAt, at }) {
      const result = await db
        .insertInto('key_notices')
        .values({ key_id: keyId, kind, expires_at: expiresAt, sent_at: at })
        .onConflict((oc) => oc.columns(['key_id', 'kind', 'expires_at']).doNothing())
        .executeTakeFirst()
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
    },
    async lease(name, holder, now, until) {
      const result = await db
        .updateTable('job_leases')
        .set({ holder, until })
        .where('name', '=', name)
        .where((eb) => eb.or([eb('holder', '=', holder), eb('holder', 'is', null), eb('until', '<', now)]))
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async release(name, holder) {
      await db
        .updateTable('job_leases')
        .set({ holder: null, until: 0 })
        .where('name', '=', name)
        .where('holder', '=', holder)
        .execute()
    },
  }
}
