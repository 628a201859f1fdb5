import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { describe, expect, it } from 'vitest'
import { preparedQuery } from './prepared-query.ts'

interface Tables {
  items: { id: string; owner: string; rank: number; active: number }
}

describe('preparedQuery', () => {
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) })

  it('runs the compiled query with each call’s arguments, constants kept', async () => {
    await db.schema
      .createTable('items')
      .addColumn('id', 'text')
      .addColumn('owner', 'text')
      .addColumn('rank', 'integer')
      .addColumn('active', 'integer')
      .execute()
    await db
      .insertInto('items')
      .values([
        { id: 'a', owner: 'x', rank: 2, active: 1 },
        { id: 'b', owner: 'x', rank: 1, active: 1 },
        { id: 'c', owner: 'x', rank: 0, active: 0 },
        { id: 'd', owner: 'y', rank: 0, active: 1 },
      ])
      .execute()
    const activeOf = preparedQuery(db, 2, (owner: string, notId: string) =>
      db
        .selectFrom('items')
        .select('id')
        .where('active', '=', 1)
        .where('owner', '=', owner)
        .where('id', '!=', notId)
        .orderBy('rank'),
    )
    expect(await activeOf('x', 'none')).toEqual([{ id: 'b' }, { id: 'a' }])
    expect(await activeOf('x', 'b')).toEqual([{ id: 'a' }])
    expect(await activeOf('y', 'none')).toEqual([{ id: 'd' }])
    expect(await activeOf('z', 'none')).toEqual([])
  })

  it('refuses a build that does not use a placeholder as a parameter', async () => {
    const unused = preparedQuery(db, 1, (_owner: string) => db.selectFrom('items').select('id'))
    await expect(unused('x')).rejects.toThrow(/placeholder/)
  })
})
