import { type Kysely, sql } from 'kysely'
import type { StatusClass } from '../../core/read-models/ports.ts'
import type { HalfDayIncrement } from '../activity-sqlite.js'
import type { KeywardTables } from '../schema.ts'

export const hourMs = 3_600_000

type HourlyRow = KeywardTables['activity_hourly']
type ActivityRow = Pick<KeywardTables['activity'], 'at' | 'account_id' | 'project_id' | 'key_id' | 'status'>

export const statusClassOf = (status: number): StatusClass =>
  status === 429 ? '429' : status >= 500 ? '5xx' : status >= 400 ? '4xx' : '2xx'

/**
 * What a batch of activity rows adds to the hourly rollup (migration 0009): one increment per account, hour, key and
 * status class, so that a batch touches each rollup row once. Rows without an identified key are not rolled up.
 */
export function hourlyIncrements(rows: readonly ActivityRow[]): HourlyRow[] {
  const increments = new Map<string, HourlyRow>()
  for (const row of rows) {
    if (row.account_id === null || row.key_id === null || row.project_id === null) continue
    const hour = Math.floor(row.at / hourMs) * hourMs
    const statusClass = statusClassOf(row.status)
    const id = `${row.account_id}\u0000${hour}\u0000${row.key_id}\u0000${statusClass}`
    const current = increments.get(id)
    if (current) {
      current.requests++
      current.last_at = Math.max(current.last_at, row.at)
    } else {
      increments.set(id, {
        account_id: row.account_id,
        hour,
        key_id: row.key_id,
        status_class: statusClass,
        project_id: row.project_id,
        requests: 1,
        last_at: row.at,
      })
    }
  }
  return [...increments.values()]
}

const hourlyColumns = ['account_id', 'hour', 'key_id', 'status_class', 'project_id', 'requests', 'last_at']

/** SQLite's upsert of one increment (prepared by the in-process store and by the writer thread). */
export const sqliteHourlyUpsertSql = `insert into activity_hourly (${hourlyColumns.join(', ')})
  values (${hourlyColumns.map((c) => `@${c}`).join(', ')})
  on conflict (account_id, hour, key_id, status_class) do update set
    requests = requests + excluded.requests, last_at = max(last_at, excluded.last_at)`

/** Rollup hours that end at or before the cutoff go with their rows. */
export const hourlyPruneSql = `delete from activity_hourly where hour <= ? - ${hourMs}`

/** Postgres: a batch's 12-hour increments (halfDayIncrements of its hourly ones), 1,000 to a statement. */
export async function upsertHalfDays(
  db: Kysely<KeywardTables>,
  increments: HalfDayIncrement[],
): Promise<void> {
  for (let i = 0; i < increments.length; i += 1000) {
    await db
      .insertInto('activity_half_day')
      .values(increments.slice(i, i + 1000))
      .onConflict((oc) =>
        oc.columns(['account_id', 'half_day', 'key_id', 'status_class']).doUpdateSet({
          requests: sql`activity_half_day.requests + excluded.requests`,
          last_at: sql`greatest(activity_half_day.last_at, excluded.last_at)`,
        }),
      )
      .execute()
  }
}

/** Postgres: a batch's increments, 1,000 to a statement (7 parameters each, well under its limit). */
export async function upsertHourly(db: Kysely<KeywardTables>, increments: HourlyRow[]): Promise<void> {
  for (let i = 0; i < increments.length; i += 1000) {
    await db
      .insertInto('activity_hourly')
      .values(increments.slice(i, i + 1000))
      .onConflict((oc) =>
        oc.columns(['account_id', 'hour', 'key_id', 'status_class']).doUpdateSet({
          requests: sql`activity_hourly.requests + excluded.requests`,
          last_at: sql`greatest(activity_hourly.last_at, excluded.last_at)`,
        }),
      )
      .execute()
  }
}
