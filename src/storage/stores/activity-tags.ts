import { type Kysely, sql } from 'kysely'

/**
 * Tags for the ids this process makes (see ActivityIds): taken from a sequence on Postgres and a counting table on
 * SQLite, so that two writers never make the same id, and the audit stream's ids are the stored ones.
 */
export async function claimWriterTags(db: Kysely<unknown>, postgres: boolean, count = 4): Promise<number[]> {
  if (postgres) {
    const tags = await sql<{ tag: string }>`select nextval('activity_log_writer_seq') as tag
      from generate_series(1, ${sql.lit(count)})`.execute(db)
    return tags.rows.map((row) => Number(row.tag))
  }
  const tags: number[] = []
  for (let i = 0; i < count; i++) {
    const made = await sql<{
      id: number
    }>`insert into activity_writer_tags default values returning id`.execute(db)
    tags.push(Number(made.rows[0]?.id))
  }
  return tags
}
