import type { Kysely } from 'kysely'
import type { KeyExposure, LeakResponse } from '../../core/exposures.ts'
import type { SystemActorName } from '../../core/model.ts'
import type { ExposureStore } from '../../core/ports.ts'
import type { KeywardTables } from '../schema.ts'

const toExposure = (row: KeywardTables['key_exposures']): KeyExposure => ({
  id: row.id,
  keyId: row.key_id,
  reporter: row.reporter as SystemActorName,
  url: row.url,
  source: row.source,
  reportedAt: row.reported_at,
  leaseUntil: row.lease_until,
  attempts: row.attempts,
  response: row.response as LeakResponse | null,
  processedAt: row.processed_at,
})

export function exposureStore(db: Kysely<KeywardTables>): ExposureStore {
  return {
    async insert(rows) {
      await db
        .insertInto('key_exposures')
        .values(
          rows.map((e) => ({
            id: e.id,
            key_id: e.keyId,
            reporter: e.reporter,
            url: e.url,
            source: e.source,
            reported_at: e.reportedAt,
            lease_until: e.leaseUntil,
            attempts: e.attempts,
            response: e.response,
            processed_at: e.processedAt,
          })),
        )
        .execute()
    },
    async listDue(at, limit) {
      const rows = await db
        .selectFrom('key_exposures')
        .selectAll()
        .where('processed_at', 'is', null)
        .where('lease_until', '<=', at)
        .orderBy('reported_at')
        .orderBy('id')
        .limit(limit)
        .execute()
      return rows.map(toExposure)
    },
    async claim(id, from, until) {
      const result = await db
        .updateTable('key_exposures')
        .set((eb) => ({ lease_until: until, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .where('lease_until', '=', from)
        .where('processed_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async complete(id, lease, at, response) {
      const result = await db
        .updateTable('key_exposures')
        .set({ processed_at: at, response })
        .where('id', '=', id)
        .where('lease_until', '=', lease)
        .where('processed_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async listByKey(keyId) {
      const rows = await db
        .selectFrom('key_exposures')
        .selectAll()
        .where('key_id', '=', keyId)
        .orderBy('reported_at')
        .orderBy('id')
        .execute()
      return rows.map(toExposure)
    },
  }
}
