/** Types of activity-sqlite.js (plain JavaScript, shared with the SQLite writer thread). */
import type SQLite from 'better-sqlite3'
import type { LegacyActivityRow } from './activity-codec.js'

export declare const logColumns: readonly string[]
export declare function sqliteActivityInserter(
  sqlite: SQLite.Database,
  reasons: readonly string[],
): {
  insert(row: LegacyActivityRow): unknown[]
  rollUp(inserted: unknown[][]): void
  rollUpHalfDays(hourly: readonly HourlyIncrement[]): void
  forget(): void
}
/** An increment of activity_hourly, as hourlyIncrements makes it. */
export interface HourlyIncrement {
  account_id: string
  hour: number
  key_id: string
  status_class: string
  project_id: string
  requests: number
  last_at: number
}
export type HalfDayIncrement = Omit<HourlyIncrement, 'hour'> & { half_day: number }
export declare const halfDayMs: number
export declare function halfDayIncrements(hourly: readonly HourlyIncrement[]): HalfDayIncrement[]
export declare const sqliteHalfDayUpsertSql: string
export declare const halfDayPruneSqls: readonly string[]
export declare const sqlitePruneSql: string
export declare const shapePruneSql: string
