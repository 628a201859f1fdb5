import type { Kysely } from 'kysely'
import type { Account } from '../../core/model.ts'
import type { Plan } from '../../core/plans.ts'
import type { AccountStore } from '../../core/ports.ts'
import type { Role } from '../../core/roles.ts'
import type { KeywardTables } from '../schema.ts'

type Row = KeywardTables['accounts']

const toAccount = (row: Row): Account => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  plan: row.plan as Plan,
  createdAt: row.created_at,
})

export function accountStore(db: Kysely<KeywardTables>): AccountStore {
  return {
    async insert(a) {
      await db
        .insertInto('accounts')
        .values({ id: a.id, name: a.name, slug: a.slug, plan: a.plan, created_at: a.createdAt })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toAccount(row)
    },
    async findBySlug(slug) {
      const row = await db.selectFrom('accounts').selectAll().where('slug', '=', slug).executeTakeFirst()
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
      const rows = await db.selectFrom('accounts').selectAll().orderBy('name').orderBy('id').execute()
      return rows.map(toAccount)
    },
    async listForUser(userId) {
      const rows = await db
        .selectFrom('accounts')
        .innerJoin('memberships', 'memberships.account_id', 'accounts.id')
        .selectAll('accounts')
        .select('memberships.role')
        .where('memberships.user_id', '=', userId)
        .orderBy('accounts.name')
        .execute()
      return rows.map((row) => ({ ...toAccount(row), role: row.role as Role }))
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
