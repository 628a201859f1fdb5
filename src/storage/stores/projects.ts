import type { Kysely } from 'kysely'
import type { Project } from '../../core/model.ts'
import type { ProjectStore } from '../../core/ports.ts'
import type { KeywardTables } from '../schema.ts'

const toProject = (row: KeywardTables['projects']): Project => ({
  id: row.id,
  accountId: row.account_id,
  name: row.name,
  createdAt: row.created_at,
})

export function projectStore(db: Kysely<KeywardTables>): ProjectStore {
  return {
    async insert(p) {
      await db
        .insertInto('projects')
        .values({ id: p.id, account_id: p.accountId, name: p.name, created_at: p.createdAt })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toProject(row)
    },
    async listByAccount(accountId) {
      const rows = await db
        .selectFrom('projects')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('name')
        .execute()
      return rows.map(toProject)
    },
    async rename(id, name) {
      await db.updateTable('projects').set({ name }).where('id', '=', id).execute()
    },
  }
}
