import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll } from 'vitest'
import { openDatabase } from '../../src/storage/database.ts'
import { postgresUrl } from './databases.ts'

/**
 * The DATABASE_URLs a CLI test runs its commands on, as an operator gives them: a SQLite file, and (when the
 * Postgres test database is configured) a fresh schema of it. Each is made when asked for and removed after the file.
 */
export function cliDatabases(name: string): Array<[string, () => Promise<string>]> {
  const cleanups: Array<() => Promise<void>> = []
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup()
  })
  const databases: Array<[string, () => Promise<string>]> = [
    [
      'sqlite',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), `keyward-${name}-`))
        cleanups.push(async () => rmSync(dir, { recursive: true, force: true }))
        return join(dir, 'keyward.db')
      },
    ],
  ]
  const pgServer = postgresUrl
  if (pgServer)
    databases.push([
      'postgres',
      async () => {
        const schema = `kw_cli_${randomBytes(6).toString('hex')}`
        const admin = openDatabase(pgServer)
        await sql`create schema ${sql.id(schema)}`.execute(admin.db)
        await admin.close()
        cleanups.push(async () => {
          const again = openDatabase(pgServer)
          await sql`drop schema ${sql.id(schema)} cascade`.execute(again.db)
          await again.close()
        })
        const url = new URL(pgServer)
        url.searchParams.set('options', `-c search_path=${schema}`)
        return url.toString()
      },
    ])
  return databases
}
