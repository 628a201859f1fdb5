import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { up as migrateTo0010 } from '../src/storage/migrations/0010-activity-reason.ts'
import { testDatabases } from './support/databases.ts'

describe.each(testDatabases)('migration 0010 on $name', (database) => {
  it('turns the old auth_failure into reason, 429s into rate_limited, and drops the old column', async () => {
    const { db, close } = await database.open({ upTo: '0010-activity-reason' })
    try {
      // Back to the state before 0010: the old column, none of the new ones.
      await sql`drop index activity_account_reason`.execute(db)
      for (const column of ['reason', 'requested_project_id', 'request_id', 'rpc_id'])
        await sql`alter table activity drop column ${sql.id(column)}`.execute(db)
      await sql`alter table activity add column auth_failure text`.execute(db)
      const old = [
        ['missing', 401, 'missing_key'],
        ['malformed', 401, 'malformed'],
        ['bad_checksum', 401, 'bad_checksum'],
        ['unknown', 401, 'unknown_key'],
        ['expired', 401, 'expired'],
        ['revoked', 401, 'revoked'],
        [null, 429, 'rate_limited'],
        [null, 403, null], // scope, project or plan: never told apart
        [null, 200, null],
      ] as const
      for (const [i, [authFailure, status]] of old.entries()) {
        await sql`insert into activity (id, at, method, path, status, latency_ms, rate_limited, auth_failure)
          values (${`row-${i}`}, ${i}, 'GET', '/x', ${status}, 1, ${status === 429 ? 1 : 0}, ${authFailure})`.execute(
          db,
        )
      }

      await migrateTo0010(db as never)
      const rows = await db.selectFrom('activity').selectAll().orderBy('at').execute()
      expect(rows.map((r) => r.reason)).toEqual(old.map(([, , reason]) => reason))
      expect(rows[0]).not.toHaveProperty('auth_failure')
      expect(rows[0]).toMatchObject({ requested_project_id: null, request_id: null, rpc_id: null })
    } finally {
      await close()
    }
  })
})
