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
      for (const [key, requests] of shapeCounts(inserted)) upsertShape.run(...key, requests)
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

/** Deletes a slice of rows older than an id (see activity-codec.js), the retention's delete. */
export const sqlitePruneSql =
  'delete from activity_log where id in (select id from activity_log where id < ? limit 2000)'

/** The hourly shape rollup's hours past the retention (one parameter: the cutoff), as the other rollups'. */
export const shapePruneSql = 'delete from activity_hourly_shapes where hour <= ? - 3600000'
