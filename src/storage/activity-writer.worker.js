// Writes Agent Activity rows on its own SQLite connection, off the server's event loop (see activity-writer.ts).
// Plain JavaScript: a worker thread does not inherit the TypeScript loader the main thread runs under.
import { parentPort, workerData } from 'node:worker_threads'
import SQLite from 'better-sqlite3'
import { idAt } from './activity-codec.js'
import { sqliteActivityInserter } from './activity-sqlite.js'

const sqlite = new SQLite(workerData.path)
sqlite.pragma('busy_timeout = 5000')
// As the server's connection: in WAL mode, commits need no fsync (checkpoints do it), and a crash loses at most the
// last commits, which a buffer that holds a second of rows in memory risks anyway.
sqlite.pragma('synchronous = NORMAL')
// The server's own connection does not checkpoint (see database.ts): this thread does, after its own commits (SQLite's
// automatic checkpoint) and on a timer, so that the WAL stays bounded when only the server writes. A PASSIVE
// checkpoint never waits, and a server that commits every few milliseconds can keep it from ever finishing, so the
// WAL would only grow; past SQLite's own threshold of 1,000 pages, TRUNCATE waits for a quiet moment, starts the WAL
// over and gives the disk space back.
setInterval(() => {
  try {
    const [{ log }] = sqlite.pragma('wal_checkpoint(PASSIVE)')
    if (log > 1000) sqlite.pragma('wal_checkpoint(TRUNCATE)')
  } catch {
    // busy: the next round tries again
  }
}, workerData.checkpointEveryMs)
// Prepared at first use, not at start: this thread may start before the server has migrated a new database.
let insertBatch
const prepareInsert = () => {
  const inserter = sqliteActivityInserter(sqlite, workerData.reasons)
  const upsertHour = sqlite.prepare(workerData.sql.upsertHour)
  const upsertRoute = sqlite.prepare(workerData.sql.upsertRoute)
  const insertOutboxLine = sqlite.prepare(workerData.sql.outboxInsert)
  const write = sqlite.transaction((rows, hourly, routes, outbox) => {
    const inserted = rows.map((row) => inserter.insert(row))
    inserter.rollUp(inserted)
    for (const increment of hourly) upsertHour.run(increment)
    inserter.rollUpHalfDays(hourly)
    for (const increment of routes) upsertRoute.run(increment)
    // The audit stream's lines commit with their rows (empty unless KEYWARD_AUDIT_STREAM_URL is set).
    for (const line of outbox) insertOutboxLine.run(line)
  })
  return (rows, hourly, routes, outbox) => {
    try {
      write(rows, hourly, routes, outbox)
    } catch (error) {
      inserter.forget()
      throw error
    }
  }
}
let pruneSlice
let updateLastUsed
const prepareLastUsed = () => {
  const update = sqlite.prepare(workerData.sql.lastUsed)
  return sqlite.transaction((entries) => {
    for (const [id, at] of entries) update.run(at, id, at)
  })
}
const pause = () => new Promise((resolve) => setImmediate(resolve))

/** Deletes in slices (the statement carries its own limit), the lock free in between, until nothing is left. */
async function prune(before) {
  pruneSlice ??= sqlite.prepare(workerData.sql.prune)
  let deleted = 0
  for (;;) {
    const { changes } = pruneSlice.run(idAt(before))
    if (changes === 0) {
      for (const pruneHours of workerData.sql.pruneRollups) sqlite.prepare(pruneHours).run(before)
      return deleted
    }
    deleted += changes
    await pause()
  }
}

// A batch (a second's worth of rows or 1,000, more when the previous one was still being written) is one transaction:
// the server's connection no longer writes on the request path, so nothing waits behind it; and with many keys, every
// row dirties a page of the per-key index of its own, a cost that larger transactions share out.
parentPort.on('message', async ({ id, rows, hourly, routes, outbox, lastUsed, pruneBefore }) => {
  try {
    if (rows) {
      insertBatch ??= prepareInsert()
      insertBatch(rows, hourly, routes, outbox ?? [])
    }
    if (lastUsed) {
      updateLastUsed ??= prepareLastUsed()
      updateLastUsed(lastUsed)
    }
    const deleted = pruneBefore === undefined ? undefined : await prune(pruneBefore)
    parentPort.postMessage({ id, deleted })
  } catch (error) {
    parentPort.postMessage({ id, error: String(error) })
  }
})
