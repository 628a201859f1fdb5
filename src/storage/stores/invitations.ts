import type { Kysely } from 'kysely'
import type { InvitationRecord } from '../../core/model.ts'
import type { InvitationStore } from '../../core/ports.ts'
import type { Role } from '../../core/roles.ts'
import type { KeywardTables } from '../schema.ts'

/** Every column but `token_hash`, which is only ever compared in SQL. */
const columns = [
  'id',
  'account_id',
  'email',
  'role',
  'invited_by',
  'created_at',
  'expires_at',
  'accepted_at',
  'accepted_by',
  'revoked_at',
] as const

const toRecord = (row: Omit<KeywardTables['invitations'], 'token_hash'>): InvitationRecord => ({
  id: row.id,
  accountId: row.account_id,
  email: row.email,
  role: row.role as Role,
  invitedBy: row.invited_by,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  acceptedAt: row.accepted_at,
  acceptedBy: row.accepted_by,
  revokedAt: row.revoked_at,
})

export function invitationStore(db: Kysely<KeywardTables>): InvitationStore {
  const pendingAt = (at: number) =>
    db
      .selectFrom('invitations')
      .where('invitations.accepted_at', 'is', null)
      .where('invitations.revoked_at', 'is', null)
      .where('invitations.expires_at', '>', at)

  return {
    async insert(i, tokenHash) {
      await db
        .insertInto('invitations')
        .values({
          id: i.id,
          account_id: i.accountId,
          email: i.email,
          role: i.role,
          token_hash: tokenHash,
          invited_by: i.invitedBy,
          created_at: i.createdAt,
          expires_at: i.expiresAt,
          accepted_at: i.acceptedAt,
          accepted_by: i.acceptedBy,
          revoked_at: i.revokedAt,
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('invitations').select(columns).where('id', '=', id).executeTakeFirst()
      return row && toRecord(row)
    },
    async findByTokenHash(tokenHash) {
      const row = await db
        .selectFrom('invitations')
        .select(columns)
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst()
      return row && toRecord(row)
    },
    async listPending(accountId, at) {
      const rows = await pendingAt(at)
        .leftJoin('users', 'users.id', 'invitations.invited_by')
        .select([
          'invitations.id',
          'invitations.account_id',
          'invitations.email',
          'invitations.role',
          'invitations.created_at',
          'invitations.expires_at',
          'users.id as inviter_id',
          'users.name as inviter_name',
          'users.email as inviter_email',
        ])
        .where('invitations.account_id', '=', accountId)
        .orderBy('invitations.created_at', 'desc')
        .orderBy('invitations.id')
        .execute()
      return rows.map((r) => ({
        id: r.id,
        accountId: r.account_id,
        email: r.email,
        role: r.role as Role,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        invitedBy:
          r.inviter_id === null
            ? null
            : { id: r.inviter_id, name: r.inviter_name ?? '', email: r.inviter_email ?? '' },
      }))
    },
    async pendingIdsFor(accountId, email, at) {
      const rows = await pendingAt(at)
        .select('id')
        .where('account_id', '=', accountId)
        .where('email', '=', email)
        .execute()
      return rows.map((r) => r.id)
    },
    async revoke(id, at) {
      const result = await db
        .updateTable('invitations')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async accept(id, at, userId) {
      // Conditional on still being pending: of two concurrent accepts, the second updates no row.
      const result = await db
        .updateTable('invitations')
        .set({ accepted_at: at, accepted_by: userId })
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async replaceToken(id, tokenHash, expiresAt, at) {
      const result = await db
        .updateTable('invitations')
        .set({ token_hash: tokenHash, expires_at: expiresAt })
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
  }
}
