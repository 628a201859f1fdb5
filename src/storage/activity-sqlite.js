// Writes Agent Activity rows in the compact format (migration 0021) on a SQLite connection: the writer thread's, or
// the server's own for in-memory databases. Plain JavaScript for the same reason as activity-writer.worker.js.
import {
  clientColumns,
  clientOf,
  encodeLatency,
  encodeReason,
  encodeRequestId,
  maxCachedEntries,
  shapeColumns,
  shapeOf,
} from './activity-codec.js'

export const logColumns = [
  'id',
  'account_ref',
  'project_ref',
  'key_ref',
  'shape_ref',
  'path_ref',
  'client_ref',
  'latency_cs',
  'requested_ref',
  'rpc_ref',
  'reason_code',
  'request_id',
]

/**
 * A dictionary table (`activity_names`, `activity_shapes`, `activity_clients`) with its ids cached: a row costs a
 * lookup in a Map, and the table is read and written only for values it has not seen yet. Entries are unique by
 * value (nulls equal), so `on conflict do nothing` then a lookup with `is` finds the one entry.
 */
function dictionary(sqlite, table, columns, nullable = []) {
  const cache = new Map()
  const insert = sqlite.prepare(
    `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})
      on conflict do nothing`,
  )
  const find = sqlite
    .prepare(
      // The unique index's own expressions, so that it finds the entry.
      `select id from ${table} where ${columns
        .map((c) => (nullable.includes(c) ? `ifnull(${c}, char(1)) = ifnull(?, char(1))` : `${c} = ?`))
        .join(' and ')}`,
    )
    .pluck()
  return {
    idOf(values, key) {
      let id = cache.get(key)
      if (id === undefined) {
        insert.run(...values)
        id = find.get(...values)
        if (cache.size >= maxCachedEntries) cache.clear()
        cache.set(key, id)
      }
      return id
    },
    forget: () => cache.clear(),
  }
}

/**
 * `insert(row)` writes one row (the legacy shape with its id made, see activity-codec.d.ts) inside the caller's
 * transaction. After a transaction that rolled back, `forget()`: the dictionary entries it added went with it.
 * `insertShapes(increments)` adds to the hourly shape rollup (see shapeIncrements).
 */
export function sqliteActivityInserter(sqlite, reasons) {
  const names = dictionary(sqlite, 'activity_names', ['name'])
  const shapes = dictionary(sqlite, 'activity_shapes', shapeColumns, ['route', 'scope', 'error_code'])
  const clients = dictionary(sqlite, 'activity_clients', clientColumns, clientColumns)
  const nameRef = (text) => (text === null ? 0 : names.idOf([text], text))
  const insert = sqlite.prepare(
    `insert into activity_log (${logColumns.join(', ')}) values (${logColumns.map(() => '?').join(', ')})`,
  )
  const upsertShape =
    sqlite.prepare(`insert into activity_hourly_shapes (account_ref, hour, key_ref, shape_ref,
      reason_code, project_ref, requests) values (?, ?, ?, ?, ?, ?, ?)
    on conflict (account_ref, hour, key_ref, shape_ref, reason_code)
    do update set requests = requests + excluded.requests`)
  const upsertHalfDayShape =
    sqlite.prepare(`insert into activity_half_day_shapes (account_ref, half_day, key_ref, shape_ref,
      reason_code, project_ref, requests) values (?, ?, ?, ?, ?, ?, ?)
    on conflict (account_ref, half_day, key_ref, shape_ref, reason_code)
    do update set requests = requests + excluded.requests`)
  const upsertHalfDay = sqlite.prepare(sqliteHalfDayUpsertSql)
  return {
    insert(row) {
      const shape = shapeOf(row)
      const client = clientOf(row)
      const values = [
        BigInt(row.id),
        nameRef(row.account_id),
        nameRef(row.project_id),
        nameRef(row.key_id),
        shapes.idOf(shape, JSON.stringify(shape)),
        nameRef(row.path),
        clients.idOf(client, JSON.stringify(client)),
        encodeLatency(row.latency_ms),
        nameRef(row.requested_project_id),
        nameRef(row.rpc_id),
        encodeReason(reasons, row.reason),
        encodeRequestId(row.request_id),
      ]
      insert.run(values)
      return values
    },
    /** Rolls up the rows just inserted (the values `insert` answered), one upsert per distinct key. */
    rollUp(inserted) {
      const hours = [...shapeCounts(inserted)]
      for (const [key, requests] of hours) upsertShape.run(...key, requests)
      for (const [key, requests] of halfDayShapeCounts(hours)) upsertHalfDayShape.run(...key, requests)
    },
    /** Adds a batch's hourly increments (see hourlyIncrements) to the 12-hour rollup, one upsert per span. */
    rollUpHalfDays(hourly) {
      for (const increment of halfDayIncrements(hourly)) upsertHalfDay.run(increment)
    },
    forget() {
      names.forget()
      shapes.forget()
      clients.forget()
    },
  }
}

const hourIds = 1_048_576n * 3_600_000n

/** Requests per (account, hour, key, shape, reason, project) of inserted rows that have an account. */
function shapeCounts(inserted) {
  const counts = new Map()
  for (const v of inserted) {
    if (v[1] === 0) continue
    const hour = Number(v[0] / hourIds) * 3_600_000
    const key = `${v[1]} ${hour} ${v[3]} ${v[4]} ${v[10]}`
    const entry = counts.get(key)
    if (entry) entry[1] += 1
    else counts.set(key, [[v[1], hour, v[3], v[4], v[10], v[2]], 1])
  }
  return counts.values()
}

/** The hourly shape counts (shapeCounts' entries) summed by 12-hour span: a few upserts per batch, not per row. */
function halfDayShapeCounts(hours) {
  const counts = new Map()
  for (const [[account, hour, key, shape, reason, project], requests] of hours) {
    const span = Math.floor(hour / halfDayMs) * halfDayMs
    const id = `${account} ${span} ${key} ${shape} ${reason}`
    const entry = counts.get(id)
    if (entry) entry[1] += requests
    else counts.set(id, [[account, span, key, shape, reason, project], requests])
  }
  return counts.values()
}

/** 12 hours: the span of activity_half_day and activity_half_day_shapes (migration 0022), aligned to UTC. */
export const halfDayMs = 43_200_000

/**
 * The hourly rollup's increments (account_id, hour, key_id, status_class, project_id, requests, last_at) summed by
 * 12-hour span, as activity_half_day's rows (the hour becomes half_day).
 */
export function halfDayIncrements(hourly) {
  const spans = new Map()
  for (const increment of hourly) {
    const halfDay = Math.floor(increment.hour / halfDayMs) * halfDayMs
    const id = `${increment.account_id}\u0000${halfDay}\u0000${increment.key_id}\u0000${increment.status_class}`
    const span = spans.get(id)
    if (span) {
      span.requests += increment.requests
      span.last_at = Math.max(span.last_at, increment.last_at)
    } else
      spans.set(id, {
        account_id: increment.account_id,
        half_day: halfDay,
        key_id: increment.key_id,
        status_class: increment.status_class,
        project_id: increment.project_id,
        requests: increment.requests,
        last_at: increment.last_at,
      })
  }
  return [...spans.values()]
}

const halfDayColumns = [
  'account_id',
  'half_day',
  'key_id',
  'status_class',
  'project_id',
  'requests',
  'last_at',
]

/** SQLite's upsert of one 12-hour increment. */
export const sqliteHalfDayUpsertSql = `insert into activity_half_day (${halfDayColumns.join(', ')})
  values (${halfDayColumns.map((c) => `@${c}`).join(', ')})
  on conflict (account_id, half_day, key_id, status_class) do update set
    requests = requests + excluded.requests, last_at = max(last_at, excluded.last_at)`

/** The 12-hour rollups' spans that end at or before the cutoff (one parameter), as the hourly ones' hours. */
export const halfDayPruneSqls = [
  `delete from activity_half_day where half_day <= ? - ${halfDayMs}`,
  `delete from activity_half_day_shapes where half_day <= ? - ${halfDayMs}`,
]

/** Deletes a slice of rows older than an id (see activity-codec.js), the retention's delete. */
export const sqlitePruneSql =
  'delete from activity_log where id in (select id from activity_log where id < ? limit 2000)'

/** The hourly shape rollup's hours past the retention (one parameter: the cutoff), as the other rollups'. */
export const shapePruneSql = 'delete from activity_hourly_shapes where hour <= ? - 3600000'
