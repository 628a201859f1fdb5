import { sql } from 'kysely'
import type { Keyward } from '../src/main.ts'

/**
 * Bytes on disk per activity row: the table and its indexes (not the dictionaries and rollups, which do not grow with
 * the rows). SQLite: the pages dbstat counts for `activity_log` and its two indexes; Postgres: every partition's
 * pg_total_relation_size (table, indexes, TOAST, free space map).
 */
export async function activityBytes(keyward: Keyward): Promise<{ rows: number; bytes: number }> {
  const db = keyward.database.db
  const counted = await sql<{ n: number }>`select count(*) as n from activity_log`.execute(db)
  const rows = Number(counted.rows[0]?.n ?? 0)
  if (keyward.database.kind === 'sqlite') {
    await keyward.database.checkpoint()
    const pages = await sql<{ bytes: number }>`select sum(pgsize) as bytes from dbstat
      where name in ('activity_log', 'activity_log_account', 'activity_log_reason')`.execute(db)
    return { rows, bytes: Number(pages.rows[0]?.bytes ?? 0) }
  }
  const size = await sql<{
    bytes: number
  }>`select coalesce(sum(pg_total_relation_size(i.inhrelid)), 0) as bytes
    from pg_inherits i where i.inhparent = 'activity_log'::regclass`.execute(db)
  return { rows, bytes: Number(size.rows[0]?.bytes ?? 0) }
}
