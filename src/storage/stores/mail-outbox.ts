import type { Kysely } from 'kysely'
import type { MailState, QueuedMail } from '../../core/mail.ts'
import type { MailOutboxStore } from '../../core/ports.ts'
import type { KeywardTables } from '../schema.ts'

const toMail = (row: KeywardTables['mail_outbox']): QueuedMail => ({
  id: row.id,
  to: row.to_address,
  subject: row.subject,
  body: row.body,
  state: row.state as MailState,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastError: row.last_error,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
})

export function mailOutboxStore(db: Kysely<KeywardTables>): MailOutboxStore {
  return {
    async insert(m) {
      await db
        .insertInto('mail_outbox')
        .values({
          id: m.id,
          to_address: m.to,
          subject: m.subject,
          body: m.body,
          state: m.state,
          attempts: m.attempts,
          next_attempt_at: m.nextAttemptAt,
          last_error: m.lastError,
          created_at: m.createdAt,
          finished_at: m.finishedAt,
        })
        .execute()
    },
    async listDue(at, limit) {
      const rows = await db
        .selectFrom('mail_outbox')
        .selectAll()
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', at)
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute()
      return rows.map(toMail)
    },
    async findById(id) {
      const row = await db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toMail(row)
    },
    async claim(id, from, leaseUntil) {
      const result = await db
        .updateTable('mail_outbox')
        .set({ next_attempt_at: leaseUntil })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('next_attempt_at', '=', from)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async settle(id, lease, o) {
      const result = await db
        .updateTable('mail_outbox')
        .set({
          state: o.state,
          attempts: o.attempts,
          next_attempt_at: o.nextAttemptAt,
          last_error: o.lastError,
          finished_at: o.finishedAt,
        })
        .where('id', '=', id)
        .where('next_attempt_at', '=', lease)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
  }
}
