// Writes Agent Activity rows in the compact format (migration 0012) on a SQLite connection: the writer thread's, or
// the server's own for in-memory databases. Plain JavaScript for the same reason as activity-writer.worker.js.
import {
  ActivityIds,
  clientColumns,
  clientOf,
  digestOf,
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
 * lookup in a Map, and the table is read and written only for text it has not seen yet.
 */
function dictionary(sqlite, table, columns) {
  const cache = new Map()
  const insert = sqlite.prepare(
    `insert into ${table} (digest, ${columns.join(', ')}) values (${['?', ...columns.map(() => '?')].join(', ')})
      on conflict (digest) do nothing`,
  )
  const find = sqlite.prepare(`select id from ${table} where digest = ?`).pluck()
  return {
    idOf(values, key) {
      let id = cache.get(key)
      if (id === undefined) {
        const digest = digestOf(key)
        insert.run(digest, ...values)
        id = find.get(digest)
        if (cache.size >= maxCachedEntries) cache.clear()
        cache.set(key, id)
      }
      return id
    },
    forget: () => cache.clear(),
  }
}

/**
 * `insert(row)` writes one row (the legacy shape, see activity-codec.d.ts) inside the caller's transaction. After a
 * transaction that rolled back, `forget()`: the dictionary entries it added went with it.
 */
export function sqliteActivityInserter(sqlite, reasons) {
  const names = dictionary(sqlite, 'activity_names', ['name'])
  const shapes = dictionary(sqlite, 'activity_shapes', shapeColumns)
  const clients = dictionary(sqlite, 'activity_clients', clientColumns)
  const ids = new ActivityIds()
  const nameRef = (text) => (text === null ? 0 : names.idOf([text], text))
  const insert = sqlite.prepare(
    `insert into activity_log (${logColumns.join(', ')}) values (${logColumns.map(() => '?').join(', ')})`,
  )
  return {
    insert(row) {
      const shape = shapeOf(row)
      const client = clientOf(row)
      const values = [
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
      for (;;) {
        try {
          insert.run(ids.idFor(row.at), ...values)
          return
        } catch (error) {
          // Another writer on the file (or a migrated row) took this id: the next one in the millisecond is free.
          if (error?.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error
        }
      }
    },
    forget() {
      names.forget()
      shapes.forget()
      clients.forget()
    },
  }
}

/** Deletes a slice of rows older than an id (see activity-codec.js), the retention's delete. */
export const sqlitePruneSql =
  'delete from activity_log where id in (select id from activity_log where id < ? limit 2000)'
