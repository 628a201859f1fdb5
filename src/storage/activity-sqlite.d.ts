/** Types of activity-sqlite.js (plain JavaScript, shared with the SQLite writer thread). */
import type SQLite from 'better-sqlite3'
import type { LegacyActivityRow } from './activity-codec.js'

export declare const logColumns: readonly string[]
export declare function sqliteActivityInserter(
  sqlite: SQLite.Database,
  reasons: readonly string[],
): { insert(row: LegacyActivityRow): unknown[]; rollUp(inserted: unknown[][]): void; forget(): void }
export declare const sqlitePruneSql: string
export declare const shapePruneSql: string
