import { type Kysely, PostgresAdapter } from 'kysely'

export type DatabaseKind = 'sqlite' | 'postgres'

export function databaseKind(db: Kysely<unknown>): DatabaseKind {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}
