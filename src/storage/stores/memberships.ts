import type { Kysely } from 'kysely'
import type { Membership } from '../../core/model.ts'
import type { MembershipStore } from '../../core/ports.ts'
import type { Role } from '../../core/roles.ts'
import { databaseKind } from '../dialect.ts'
import type { KeywardTables } from '../schema.ts'

const toMembership = (r: KeywardTables['memberships']): Membership => ({
  accountId: r.account_id,
  userId: r.user_id,
  role: r.role as Role,
  createdAt: r.created_at,
})

export function membershipStore(db: Kysely<KeywardTables>): MembershipStore {
  const postgres = databaseKind(db) === 'postgres'
  const one = (accountId: string, userId: string) =>
    db.selectFrom('memberships').where('account_id', '=', accountId).where('user_id', '=', userId)

  return {
    async insert(m) {
      await db
        .insertInto('memberships')
        .values({ account_id: m.accountId, user_id: m.userId, role: m.role, created_at: m.createdAt })
        .execute()
    },
    async roleOf(accountId, userId) {
      const row = await one(accountId, userId).select('role').executeTakeFirst()
      return row?.role as Role | undefined
    },
    async listByAccount(accountId) {
      const rows = await db
        .selectFrom('memberships')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .execute()
      return rows.map(toMembership)
    },
    async find(accountId, userId) {
      const row = await one(accountId, userId).selectAll().executeTakeFirst()
      return row && toMembership(row)
    },
    async listWithUsers(accountId) {
      const rows = await db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select([
          'memberships.user_id',
          'users.email',
          'users.name',
          'memberships.role',
          'memberships.created_at',
        ])
        .where('memberships.account_id', '=', accountId)
        .orderBy('memberships.created_at')
        .orderBy('users.email')
        .execute()
      return rows.map((r) => ({
        userId: r.user_id,
        email: r.email,
        name: r.name,
        role: r.role as Role,
        createdAt: r.created_at,
      }))
    },
    async countByRole(accountId, role) {
      const row = await db
        .selectFrom('memberships')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', accountId)
        .where('role', '=', role)
        .executeTakeFirstOrThrow()
      return Number(row.n)
    },
    async setRole(accountId, userId, role) {
      await db
        .updateTable('memberships')
        .set({ role })
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .execute()
    },
    async delete(accountId, userId) {
      const result = await db
        .deleteFrom('memberships')
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
    async deleteAll(accountId) {
      const result = await db.deleteFrom('memberships').where('account_id', '=', accountId).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
    async lockAccount(accountId) {
      if (postgres)
        await db.selectFrom('accounts').select('id').where('id', '=', accountId).forUpdate().execute()
    },
  }
}
