import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { up as migrateTo0019, down as undo0019 } from '../src/storage/migrations/0019-team-settings.ts'
import { testDatabases } from './support/databases.ts'

describe.each(testDatabases)('migration 0019 on $name', (database) => {
  it('makes each existing team’s earliest Owner its primary owner, and no team deleted', async () => {
    const { db, close } = await database.open()
    try {
      await undo0019(db as never) // back to the state before it, then rows written then
      const user = async (id: string) =>
        sql`insert into users (id, email, name, created_at, updated_at)
          values (${id}, ${`${id}@example.test`}, ${id}, ${new Date().toISOString()}, ${new Date().toISOString()})`.execute(
          db,
        )
      for (const id of ['early', 'late', 'member']) await user(id)
      for (const [id, slug] of [
        ['with-owners', 'a'],
        ['no-owner', 'b'],
      ])
        await sql`insert into accounts (id, name, slug, plan, created_at) values (${id}, ${id}, ${slug}, 'pro', 1)`.execute(
          db,
        )
      for (const [account, userId, role, at] of [
        ['with-owners', 'member', 'member', 1],
        ['with-owners', 'late', 'owner', 3],
        ['with-owners', 'early', 'owner', 2],
        ['no-owner', 'member', 'viewer', 1],
      ] as const)
        await sql`insert into memberships (account_id, user_id, role, created_at)
          values (${account}, ${userId}, ${role}, ${at})`.execute(db)

      await migrateTo0019(db as never)
      const rows = await sql<{ id: string; primary_owner_id: string | null; deleted_at: unknown }>`
        select id, primary_owner_id, deleted_at from accounts order by id`.execute(db)
      expect(rows.rows.map((r) => ({ ...r, deleted_at: r.deleted_at ?? null }))).toEqual([
        { id: 'no-owner', primary_owner_id: null, deleted_at: null },
        { id: 'with-owners', primary_owner_id: 'early', deleted_at: null },
      ])
    } finally {
      await close()
    }
  })
})
