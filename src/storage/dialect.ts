import { type Kysely, PostgresAdapter } from 'kysely'

export type DatabaseKind = 'sqlite' | 'postgres'

// biome-ignore lint/suspicious/noExplicitAny: any database shape will do
export function databaseKind(db: Kysely<any>): DatabaseKind {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}
