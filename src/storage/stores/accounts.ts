import type { Kysely } from 'kysely'
import type { Account } from '../../core/model.ts'
import type { Plan } from '../../core/plans.ts'
import type { AccountStore } from '../../core/ports.ts'
import type { Role } from '../../core/roles.ts'
import type { KeywardTables } from '../schema.ts'

type Row = Pick<KeywardTables['accounts'], 'id' | 'name' | 'slug' | 'plan' | 'created_at'>

const toAccount = (row: Row): Account => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  plan: row.plan as Plan,
  createdAt: row.created_at,
})

/** Postgres and SQLite name a unique-constraint failure differently. */
const isUniqueViolation = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE'
}

export function accountStore(db: Kysely<KeywardTables>): AccountStore {
  /** A deleted team is gone for every reader; only the audit trail still names its id. */
  const live = () => db.selectFrom('accounts').where('accounts.deleted_at', 'is', null)
  return {
    async insert(a) {
      await db
        .insertInto('accounts')
        .values({ id: a.id, name: a.name, slug: a.slug, plan: a.plan, created_at: a.createdAt })
        .execute()
    },
    async findById(id) {
      const row = await live().selectAll().where('id', '=', id).executeTakeFirst()
      return row && toAccount(row)
    },
    async findBySlug(slug) {
      const row = await live().selectAll().where('slug', '=', slug).executeTakeFirst()
      return row && toAccount(row)
    },
    async slugsStartingWith(base) {
      const rows = await db
        .selectFrom('accounts')
        .select('slug')
        .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
        .execute()
      return rows.map((r) => r.slug)
    },
    async listAll() {
      const rows = await live().selectAll().orderBy('name').orderBy('id').execute()
      return rows.map(toAccount)
    },
    async listForUser(userId) {
      const rows = await db
        .selectFrom('accounts')
        .innerJoin('memberships', 'memberships.account_id', 'accounts.id')
        .selectAll('accounts')
        .select('memberships.role')
        .where('memberships.user_id', '=', userId)
        .where('accounts.deleted_at', 'is', null)
        .orderBy('accounts.name')
        .execute()
      return rows.map((row) => ({ ...toAccount(row), role: row.role as Role }))
    },
    async primaryOwnerOf(accountId) {
      const row = await live().select('primary_owner_id').where('id', '=', accountId).executeTakeFirst()
      return row?.primary_owner_id ?? null
    },
    async claimPrimaryOwner(accountId, userId) {
      await db
        .updateTable('accounts')
        .set({ primary_owner_id: userId })
        .where('id', '=', accountId)
        .where('primary_owner_id', 'is', null)
        .execute()
    },
    async setPrimaryOwner(accountId, userId) {
      await db.updateTable('accounts').set({ primary_owner_id: userId }).where('id', '=', accountId).execute()
    },
    async updateProfile(accountId, profile) {
      try {
        await db.updateTable('accounts').set(profile).where('id', '=', accountId).execute()
        return 'updated'
      } catch (error) {
        if (isUniqueViolation(error)) return 'slug_taken'
        throw error
      }
    },
    async markDeleted(accountId, at) {
      // The slug is freed (it is only a name; URLs use the id): the history keeps what it was.
      await db
        .updateTable('accounts')
        .set({ deleted_at: at, slug: `deleted-${accountId}`, primary_owner_id: null })
        .where('id', '=', accountId)
        .execute()
    },
    async count() {
      const row = await db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      return Number(row.n)
    },
  }
}
