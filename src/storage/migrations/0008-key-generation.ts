import { type Kysely, sql } from 'kysely'

/**
 * A counter that every key change moves, in its own transaction, on SQLite: other processes on the same file read it
 * to learn that keys changed (Postgres announces changes with NOTIFY instead).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`insert into instance_settings (name, value) values ('key_generation', '0')
    on conflict do nothing`.execute(db)
}
