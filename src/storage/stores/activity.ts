import type SQLite from 'better-sqlite3'
import type { Kysely } from 'kysely'
import type { ActivityEntry } from '../../core/activity.ts'
import { activityReasons } from '../../core/activity-reason.ts'
import { activityStreamLine } from '../../core/audit-stream.ts'
import type { ActivityStore } from '../../core/ports.ts'
import { ActivityIds, idAt, type LegacyActivityRow } from '../activity-codec.js'
import { halfDayIncrements, halfDayMs, sqliteActivityInserter } from '../activity-sqlite.js'
import type { ActivityWriter } from '../activity-writer.ts'
import { idParam } from '../read-models/activity-filter.ts'
import { activityRows } from '../read-models/activity-rows.ts'
import type { KeywardTables } from '../schema.ts'
import {
  hourlyIncrements,
  hourMs,
  sqliteHourlyUpsertSql,
  upsertHalfDays,
  upsertHourly,
} from './activity-hourly.ts'
import { routeIncrements, sqliteRouteUpsertSql, upsertRoutes } from './activity-hourly-routes.ts'
import { PostgresActivityWriter } from './activity-postgres.ts'
import { claimWriterTags } from './activity-tags.ts'
import { insertOutbox, type OutboxRow, outboxInsertSql } from './audit-outbox.ts'

/** A row as the `activity` view shows it (the legacy shape), its id made: what the rollups and the writers take. */
type Row = LegacyActivityRow

export const toRow = (e: ActivityEntry, id: string): Row => ({
  id,
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
  const insertLine = sqlite.prepare(outboxInsertSql)
  const insertSlice = sqlite.transaction((rows: Row[], outbox: OutboxRow[]) => {
    inserter.rollUp(rows.map((row) => inserter.insert(row)))
    const hourly = hourlyIncrements(rows)
    for (const increment of hourly) upsertHour.run(increment)
    inserter.rollUpHalfDays(hourly)
    for (const increment of routeIncrements(rows)) upsertRoute.run(increment)
    for (const line of outbox) insertLine.run(line)
  })
  return async (rows: Row[], outbox: OutboxRow[]) => {
    for (let i = 0; i < rows.length; i += rowsPerSlice) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve))
      // A Kysely transaction may have begun on the same connection meanwhile: a nested BEGIN would fail.
      while (sqlite.inTransaction) await new Promise((resolve) => setTimeout(resolve, 1))
      try {
        insertSlice(rows.slice(i, i + rowsPerSlice), outbox.slice(i, i + rowsPerSlice))
      } catch (error) {
        inserter.forget()
        throw error
      }
    }
  }
}

/**
 * The audit stream's outbox lines of a batch (one per row, in the same order), or none when streaming is off. Built
 * from the core's entries with the ids the rows are stored under, so that a line, an export and a re-read of the
 * same row carry the same id.
 */
function outboxRowsOf(
  entries: readonly ActivityEntry[],
  ids: readonly string[],
  streamed: boolean,
): OutboxRow[] {
  if (!streamed) return []
  return entries.map((entry, i) => {
    const { eventId, line, at } = activityStreamLine({ ...entry, id: ids[i] as string })
    return { event_id: eventId, line, created_at: at }
  })
}

/**
 * Old rows are deleted in slices on SQLite: a day's worth of traffic in one statement would hold the write lock (and
 * the thread running it) for seconds. Postgres drops whole days instead.
 */
export const rowsPerDelete = 2000

/**
 * `streamed`: KEYWARD_AUDIT_STREAM_URL is set, so every row also goes to the audit stream's outbox, atomically.
 * Rows get their ids here, on the server's thread (a counter, no database work but the first batch's claim of this
 * process's tags): the id is the row's time (see activity-codec.js), the one it is stored, streamed and exported under.
 */
export function activityStore(
  db: Kysely<KeywardTables>,
  sqlite?: SQLite.Database,
  writer?: ActivityWriter,
  options: { streamed?: boolean } = {},
): ActivityStore {
  const insertAll = sqlite && !writer ? preparedInsert(sqlite) : undefined
  const postgres = !sqlite && !writer ? new PostgresActivityWriter() : undefined
  const rows = activityRows(db)
  let ids: Promise<ActivityIds> | undefined
  const idsOf = async (entries: readonly ActivityEntry[]) => {
    const claim = () => claimWriterTags(db as Kysely<unknown>, Boolean(postgres))
    ids ??= claim().then((tags) => new ActivityIds(tags))
    const made = await ids.catch((error) => {
      ids = undefined
      throw error
    })
    const out: string[] = []
    for (const entry of entries) {
      // A burst of more rows in one millisecond than 4 tags hold (16,384): more tags rather than a lost batch.
      if (made.room(entry.at) === 0 && !made.addTags(await claim()))
        throw new Error('more activity rows in one millisecond than this process can number')
      out.push(made.idFor(entry.at).toString())
    }
    return out
  }
  return {
    async insertMany(entries) {
      if (entries.length === 0) return
      const made = await idsOf(entries)
      const rows = entries.map((entry, i) => toRow(entry, made[i] as string))
      const outbox = outboxRowsOf(entries, made, Boolean(options.streamed))
      if (writer) return writer.write(rows, hourlyIncrements(rows), routeIncrements(rows), outbox)
      if (insertAll) return insertAll(rows, outbox)
      await postgres?.write(db as Kysely<unknown>, rows, async (trx) => {
        await insertOutbox(trx as Kysely<KeywardTables>, outbox)
        const hourly = hourlyIncrements(rows)
        await upsertHourly(trx as Kysely<KeywardTables>, hourly)
        await upsertHalfDays(trx as Kysely<KeywardTables>, halfDayIncrements(hourly))
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
              eb
                .selectFrom('activity_log')
                .select('id')
                .where('id', '<', idParam(idAt(at)))
                .limit(rowsPerDelete),
            )
            .executeTakeFirst()
          const slice = Number(result.numDeletedRows)
          deleted += slice
          if (slice < rowsPerDelete) break
          await new Promise((resolve) => setImmediate(resolve))
        }
      }
      for (const table of ['activity_hourly', 'activity_hourly_routes', 'activity_hourly_shapes'] as const)
        await db
          .deleteFrom(table)
          .where('hour', '<=', at - hourMs)
          .execute()
      for (const table of ['activity_half_day', 'activity_half_day_shapes'] as const)
        await db
          .deleteFrom(table)
          .where('half_day', '<=', at - halfDayMs)
          .execute()
      return deleted
    },
    async listByAccount(accountId, { limit }) {
      const found = await rows.search({ accountId, from: 0, to: Number.MAX_SAFE_INTEGER }, { limit })
      return found.map(({ projectName: _, keyName: __, keyPrefix: ___, ...entry }) => entry)
    },
  }
}
