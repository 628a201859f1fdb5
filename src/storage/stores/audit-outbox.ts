import type { Kysely } from 'kysely'
import type { AuditOutboxStore } from '../../core/ports.ts'
import type { KeywardTables } from '../schema.ts'

export interface OutboxRow {
  event_id: string
  line: string
  created_at: number
}

/** Lines per insert statement: 3 columns each, well under both databases' bound-parameter limits. */
const rowsPerStatement = 500

/** The writer thread's statement (SQLite files): one line, in the transaction of its activity batch. */
export const outboxInsertSql =
  'insert into audit_outbox (event_id, line, created_at) values (@event_id, @line, @created_at)'

/** Adds lines to the outbox on `db`, which is the caller's transaction: they commit or roll back with its rows. */
export async function insertOutbox(db: Kysely<KeywardTables>, rows: readonly OutboxRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += rowsPerStatement)
    await db
      .insertInto('audit_outbox')
      .values(rows.slice(i, i + rowsPerStatement))
      .execute()
}

export function auditOutboxStore(db: Kysely<KeywardTables>): AuditOutboxStore {
  return {
    async next(limit) {
      return db.selectFrom('audit_outbox').select(['seq', 'line']).orderBy('seq').limit(limit).execute()
    },
    async remove(seqs) {
      if (seqs.length === 0) return
      await db.deleteFrom('audit_outbox').where('seq', 'in', seqs).execute()
    },
    async lease(holder, now, until) {
      const result = await db
        .updateTable('audit_stream_lease')
        .set({ holder, until })
        .where('name', '=', 'stream')
        .where((eb) => eb.or([eb('holder', '=', holder), eb('holder', 'is', null), eb('until', '<', now)]))
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async release(holder) {
      await db
        .updateTable('audit_stream_lease')
        .set({ holder: null, until: 0 })
        .where('name', '=', 'stream')
        .where('holder', '=', holder)
        .execute()
    },
    async count() {
      const { n } = await db
        .selectFrom('audit_outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      return Number(n)
    },
  }
}
