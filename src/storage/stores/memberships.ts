import type { Kysely } from 'kysely'
import type { MembershipStore } from '../../core/ports.ts'
import type { Role } from '../../core/roles.ts'
import type { KeywardTables } from '../schema.ts'

export function membershipStore(db: Kysely<KeywardTables>): MembershipStore {
  return {
    async insert(m) {
      await db
        .insertInto('memberships')
        .values({ account_id: m.accountId, user_id: m.userId, role: m.role, created_at: m.createdAt })
        .execute()
    },
    async roleOf(accountId, userId) {
      const row = await db
        .selectFrom('memberships')
        .select('role')
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .executeTakeFirst()
      return row?.role as Role | undefined
    },
    async listByAccount(accountId) {
      const rows = await db
        .selectFrom('memberships')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .execute()
      return rows.map((r) => ({
        accountId: r.account_id,
        userId: r.user_id,
        role: r.role as Role,
        createdAt: r.created_at,
      }))
    },
  }
}
