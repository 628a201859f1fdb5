import type SQLite from 'better-sqlite3'
import type { Kysely } from 'kysely'
import type { ActivityEntry } from '../../core/activity.ts'
import type { ActivityReason } from '../../core/activity-reason.ts'
import { activityStreamLine } from '../../core/audit-stream.ts'
import type { ActivityStore } from '../../core/ports.ts'
import type { ActivityWriter } from '../activity-writer.ts'
import type { KeywardTables } from '../schema.ts'
import { hourlyIncrements, hourMs, sqliteHourlyUpsertSql, upsertHourly } from './activity-hourly.ts'
import { routeIncrements, sqliteRouteUpsertSql, upsertRoutes } from './activity-hourly-routes.ts'
import { insertOutbox, type OutboxRow, outboxInsertSql } from './audit-outbox.ts'

type Row = KeywardTables['activity']

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

export const toEntry = (r: Row): ActivityEntry => ({
  id: r.id,
  at: r.at,
  accountId: r.account_id,
  projectId: r.project_id,
  keyId: r.key_id,
  method: r.method,
  route: r.route,
  path: r.path,
  status: r.status,
  scope: r.scope,
  latencyMs: r.latency_ms,
  errorCode: r.error_code,
  rateLimited: r.rate_limited === 1,
  reason: r.reason as ActivityReason | null,
  requestedProjectId: r.requested_project_id,
  requestId: r.request_id,
  rpcId: r.rpc_id,
  clientIp: r.client_ip,
  userAgent: r.user_agent,
})

/** 19 columns × 250 rows stays under SQLite's and Postgres's bound-parameter limits. */
const rowsPerStatement = 250

const columns = Object.keys(toRow({} as ActivityEntry)) as Array<keyof Row>

/** Rows per synchronous SQLite transaction: a few milliseconds, so that requests are served in between. */
const rowsPerSlice = 200

/**
 * Old rows are deleted in slices: a day's worth of traffic in one statement would hold the write lock (and, on
 * SQLite, the thread running it) for seconds.
 */
export const rowsPerDelete = 2000
export const activityPruneSql = `delete from activity where id in (select id from activity where at < ? limit ${rowsPerDelete})`

/**
 * SQLite fast path (in-memory databases, which no writer thread can share): one prepared statement, run per row, in
 * short synchronous transactions with the event loop free in between. One transaction of a second's worth of rows
 * (thousands, at 15–35 µs each on our machines) would stall every request for a hundred milliseconds or more.
 */
export const activityInsertSql = `insert into activity (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`

function preparedInsert(sqlite: SQLite.Database) {
  const insert = sqlite.prepare(activityInsertSql)
  const upsertHour = sqlite.prepare(sqliteHourlyUpsertSql)
  const upsertRoute = sqlite.prepare(sqliteRouteUpsertSql)
  const insertLine = sqlite.prepare(outboxInsertSql)
  const insertSlice = sqlite.transaction((rows: Row[], outbox: OutboxRow[]) => {
    for (const row of rows) insert.run(row)
    for (const increment of hourlyIncrements(rows)) upsertHour.run(increment)
    for (const increment of routeIncrements(rows)) upsertRoute.run(increment)
    for (const line of outbox) insertLine.run(line)
  })
  return async (rows: Row[], outbox: OutboxRow[]) => {
    for (let i = 0; i < rows.length; i += rowsPerSlice) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve))
      // A Kysely transaction may have begun on the same connection meanwhile: a nested BEGIN would fail.
      while (sqlite.inTransaction) await new Promise((resolve) => setTimeout(resolve, 1))
      insertSlice(rows.slice(i, i + rowsPerSlice), outbox.slice(i, i + rowsPerSlice))
    }
  }
}

/**
 * The audit stream's outbox lines of a batch (one per row, in the same order), or none when streaming is off. Kept
 * apart from the row format: the lines are built from the core's entries, whatever the table's columns become.
 */
function outboxRowsOf(entries: readonly ActivityEntry[], streamed: boolean): OutboxRow[] {
  if (!streamed) return []
  return entries.map((entry) => {
    const { eventId, line, at } = activityStreamLine(entry)
    return { event_id: eventId, line, created_at: at }
  })
}

/** `streamed`: KEYWARD_AUDIT_STREAM_URL is set, so every row also goes to the audit stream's outbox, atomically. */
export function activityStore(
  db: Kysely<KeywardTables>,
  sqlite?: SQLite.Database,
  writer?: ActivityWriter,
  options: { streamed?: boolean } = {},
): ActivityStore {
  const insertAll = sqlite && preparedInsert(sqlite)
  return {
    async insertMany(entries) {
      if (entries.length === 0) return
      const rows = entries.map(toRow)
      const outbox = outboxRowsOf(entries, Boolean(options.streamed))
      if (writer) return writer.write(rows, hourlyIncrements(rows), routeIncrements(rows), outbox)
      if (insertAll) return insertAll(rows, outbox)
      await db.transaction().execute(async (trx) => {
        await insertOutbox(trx, outbox)
        for (let i = 0; i < rows.length; i += rowsPerStatement) {
          await trx
            .insertInto('activity')
            .values(rows.slice(i, i + rowsPerStatement))
            .execute()
        }
        await upsertHourly(trx, hourlyIncrements(rows))
        await upsertRoutes(trx, routeIncrements(rows))
      })
    },
    async deleteBefore(at) {
      if (writer) return writer.prune(at)
      let deleted = 0
      for (;;) {
        const result = await db
          .deleteFrom('activity')
          .where('id', 'in', (eb) =>
            eb.selectFrom('activity').select('id').where('at', '<', at).limit(rowsPerDelete),
          )
          .executeTakeFirst()
        const slice = Number(result.numDeletedRows)
        deleted += slice
        if (slice < rowsPerDelete) {
          await db
            .deleteFrom('activity_hourly')
            .where('hour', '<=', at - hourMs)
            .execute()
          await db
            .deleteFrom('activity_hourly_routes')
            .where('hour', '<=', at - hourMs)
            .execute()
          return deleted
        }
        await new Promise((resolve) => setImmediate(resolve))
      }
    },
    async listByAccount(accountId, { limit }) {
      const rows = await db
        .selectFrom('activity')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('at', 'desc')
        .limit(limit)
        .execute()
      return rows.map(toEntry)
    },
  }
}
