import type SQLite from 'better-sqlite3'
import type { Kysely } from 'kysely'
import type { ActivityEntry } from '../../core/activity.ts'
import { activityReasons } from '../../core/activity-reason.ts'
import type { ActivityStore } from '../../core/ports.ts'
import { idAt, type LegacyActivityRow } from '../activity-codec.js'
import { sqliteActivityInserter } from '../activity-sqlite.js'
import type { ActivityWriter } from '../activity-writer.ts'
import { activityRows } from '../read-models/activity-rows.ts'
import type { KeywardTables } from '../schema.ts'
import { hourlyIncrements, hourMs, sqliteHourlyUpsertSql, upsertHourly } from './activity-hourly.ts'
import { routeIncrements, sqliteRouteUpsertSql, upsertRoutes } from './activity-hourly-routes.ts'
import { PostgresActivityWriter } from './activity-postgres.ts'

/** A row as the `activity` view shows it (the legacy shape): what the rollups and the writers take. */
type Row = LegacyActivityRow

const toRow = (e: ActivityEntry): Row => ({
  id: e.id,
  at: e.at,
  account_id: e.accountId,
  project_id: e.projectId,
  key_id: e.keyId,
  method: e.method,
  route: e.route,
  path: e.path,
  status: e.status,
  scope: e.scope,
  latency_ms: e.latencyMs,
  error_code: e.errorCode,
  rate_limited: e.rateLimited ? 1 : 0,
  reason: e.reason,
  requested_project_id: e.requestedProjectId,
  request_id: e.requestId,
  rpc_id: e.rpcId,
  client_ip: e.clientIp,
  user_agent: e.userAgent,
})

/** Rows per synchronous SQLite transaction: a few milliseconds, so that requests are served in between. */
const rowsPerSlice = 200

/**
 * SQLite fast path (in-memory databases, which no writer thread can share): prepared statements, run per row, in
 * short synchronous transactions with the event loop free in between. One transaction of a second's worth of rows
 * (thousands, at 15–35 µs each on our machines) would stall every request for a hundred milliseconds or more.
 */
function preparedInsert(sqlite: SQLite.Database) {
  const inserter = sqliteActivityInserter(sqlite, activityReasons)
  const upsertHour = sqlite.prepare(sqliteHourlyUpsertSql)
  const upsertRoute = sqlite.prepare(sqliteRouteUpsertSql)
  const insertSlice = sqlite.transaction((rows: Row[]) => {
    for (const row of rows) inserter.insert(row)
    for (const increment of hourlyIncrements(rows)) upsertHour.run(increment)
    for (const increment of routeIncrements(rows)) upsertRoute.run(increment)
  })
  return async (rows: Row[]) => {
    for (let i = 0; i < rows.length; i += rowsPerSlice) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve))
      // A Kysely transaction may have begun on the same connection meanwhile: a nested BEGIN would fail.
      while (sqlite.inTransaction) await new Promise((resolve) => setTimeout(resolve, 1))
      try {
        insertSlice(rows.slice(i, i + rowsPerSlice))
      } catch (error) {
        inserter.forget()
        throw error
      }
    }
  }
}

/**
 * Old rows are deleted in slices on SQLite: a day's worth of traffic in one statement would hold the write lock (and
 * the thread running it) for seconds. Postgres drops whole days instead.
 */
export const rowsPerDelete = 2000

export function activityStore(
  db: Kysely<KeywardTables>,
  sqlite?: SQLite.Database,
  writer?: ActivityWriter,
): ActivityStore {
  const insertAll = sqlite && preparedInsert(sqlite)
  const postgres = !sqlite && !writer ? new PostgresActivityWriter() : undefined
  const rows = activityRows(db)
  return {
    async insertMany(entries) {
      if (entries.length === 0) return
      const rows = entries.map(toRow)
      if (writer) return writer.write(rows, hourlyIncrements(rows), routeIncrements(rows))
      if (insertAll) return insertAll(rows)
      await postgres?.write(db as Kysely<unknown>, rows, async (trx) => {
        await upsertHourly(trx as Kysely<KeywardTables>, hourlyIncrements(rows))
        await upsertRoutes(trx as Kysely<KeywardTables>, routeIncrements(rows))
      })
    },
    async deleteBefore(at) {
      if (writer) return writer.prune(at)
      let deleted = 0
      if (postgres) deleted = await postgres.dropBefore(db as Kysely<unknown>, at)
      else {
        for (;;) {
          const result = await db
            .deleteFrom('activity_log')
            .where('id', 'in', (eb) =>
              eb.selectFrom('activity_log').select('id').where('id', '<', idAt(at)).limit(rowsPerDelete),
            )
            .executeTakeFirst()
          const slice = Number(result.numDeletedRows)
          deleted += slice
          if (slice < rowsPerDelete) break
          await new Promise((resolve) => setImmediate(resolve))
        }
      }
      await db
        .deleteFrom('activity_hourly')
        .where('hour', '<=', at - hourMs)
        .execute()
      await db
        .deleteFrom('activity_hourly_routes')
        .where('hour', '<=', at - hourMs)
        .execute()
      return deleted
    },
    async listByAccount(accountId, { limit }) {
      const found = await rows.search({ accountId, from: 0, to: Number.MAX_SAFE_INTEGER }, { limit })
      return found.map(({ projectName: _, keyName: __, keyPrefix: ___, ...entry }) => entry)
    },
  }
}
