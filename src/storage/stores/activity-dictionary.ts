import { type Kysely, sql } from 'kysely'
import { maxCachedEntries } from '../activity-codec.js'

/**
 * A dictionary table with its ids cached in this process (see activity-sqlite.js for SQLite's). Entries are unique by
 * value (nulls equal, see migration 0021): new ones go in with `on conflict do nothing`, then all are found by value.
 */
export class Dictionary {
  private readonly cache = new Map<string, number>()

  constructor(
    private readonly table: string,
    private readonly columns: readonly string[],
    private readonly types: readonly string[],
    /** How a stored entry `t` and a given one `g` (columns v0, v1, …) are found equal, through the table's index. */
    private readonly same: string,
  ) {}

  /** Makes sure every key of `entries` (key → column values) has an id: two statements for all that are new. */
  async resolve(db: Kysely<unknown>, entries: Map<string, readonly unknown[]>): Promise<void> {
    const missing = [...entries].filter(([key]) => !this.cache.has(key))
    if (missing.length === 0) return
    if (this.cache.size + missing.length > maxCachedEntries) this.cache.clear()
    const arrays = this.columns.map(
      (_, i) => sql`${missing.map(([, values]) => values[i] ?? null)}::${sql.raw(this.types[i] as string)}[]`,
    )
    const table = sql.table(this.table)
    const columns = sql.join(this.columns.map((c) => sql.ref(c)))
    const given = sql.raw(this.columns.map((_, i) => `v${i}`).join(', '))
    await sql`insert into ${table} (${columns})
      select * from unnest(${sql.join(arrays)}) on conflict do nothing`.execute(db)
    const same = sql.raw(this.same)
    const found = await sql<Record<string, unknown> & { id: number }>`select t.*
      from ${table} t join unnest(${sql.join(arrays)}) as g(${given}) on ${same}`.execute(db)
    const keyOf = (row: Record<string, unknown>) =>
      this.columns.length === 1
        ? String(row[this.columns[0] as string])
        : JSON.stringify(this.columns.map((c) => row[c]))
    for (const row of found.rows) this.cache.set(keyOf(row), Number(row.id))
    for (const [key] of missing)
      if (!this.cache.has(key)) throw new Error(`${this.table}: no id for an entry just written`)
  }

  idOf(key: string): number {
    const id = this.cache.get(key)
    if (id === undefined) throw new Error(`${this.table}: entry not resolved`)
    return id
  }
}
