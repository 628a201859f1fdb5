import { randomBytes } from 'node:crypto'
import { type Kysely, Migrator, sql } from 'kysely'
import { migrateToLatest, type OpenDatabase, openDatabase } from '../../src/storage/database.ts'
import { databaseKind } from '../../src/storage/dialect.ts'
import { migrationProvider } from '../../src/storage/migrations/index.ts'
import type { KeywardTables } from '../../src/storage/schema.ts'

export const postgresUrl = process.env.TEST_DATABASE_URL

export interface TestDatabase {
  name: 'sqlite' | 'postgres'
  /**
   * A fresh, migrated database: in-memory SQLite, or a new schema in the Postgres test database. `upTo` stops after
   * that migration (for tests of a later one).
   */
  open(options?: { upTo?: string }): Promise<OpenDatabase>
}

async function migrate(db: Kysely<KeywardTables>, upTo: string | undefined) {
  if (upTo === undefined) return void (await migrateToLatest(db))
  const schema =
    databaseKind(db) === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  })
  const { error } = await migrator.migrateTo(upTo)
  if (error) throw error
}

export const sqliteDatabase: TestDatabase = {
  name: 'sqlite',
  async open(options = {}) {
    const database = openDatabase(':memory:')
    await migrate(database.db, options.upTo)
    return database
  },
}

const postgresDatabase: TestDatabase = {
  name: 'postgres',
  async open(options = {}) {
    if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set')
    const schema = `kw_test_${randomBytes(6).toString('hex')}`
    const admin = openDatabase(postgresUrl)
    await sql`create schema ${sql.id(schema)}`.execute(admin.db)
    await admin.close()
    const database = openDatabase(postgresUrl, { schema })
    await migrate(database.db, options.upTo)
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
