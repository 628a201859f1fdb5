import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { migrateToLatest, type OpenDatabase, openDatabase } from '../../src/storage/database.ts'

export const postgresUrl = process.env.TEST_DATABASE_URL

export interface TestDatabase {
  name: 'sqlite' | 'postgres'
  /** A fresh, migrated database: in-memory SQLite, or a new schema in the Postgres test database. */
  open(): Promise<OpenDatabase>
}

export const sqliteDatabase: TestDatabase = {
  name: 'sqlite',
  async open() {
    const database = openDatabase(':memory:')
    await migrateToLatest(database.db)
    return database
  },
}

const postgresDatabase: TestDatabase = {
  name: 'postgres',
  async open() {
    if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set')
    const schema = `kw_test_${randomBytes(6).toString('hex')}`
    const admin = openDatabase(postgresUrl)
    await sql`create schema ${sql.id(schema)}`.execute(admin.db)
    await admin.close()
    const database = openDatabase(postgresUrl, { schema })
    await migrateToLatest(database.db)
    return {
      ...database,
      async close() {
        await sql`drop schema ${sql.id(schema)} cascade`.execute(database.db)
        await database.close()
      },
    }
  },
}

/** SQLite always; Postgres when TEST_DATABASE_URL names a database (CI does). */
export const testDatabases: TestDatabase[] = postgresUrl
  ? [sqliteDatabase, postgresDatabase]
  : [sqliteDatabase]
