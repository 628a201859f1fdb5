import { Worker } from 'node:worker_threads'

interface Waiter {
  resolve: (deleted: number) => void
  reject: (error: Error) => void
}

/**
 * What every keyed request leaves behind is written by a worker thread with its own connection to the SQLite file:
 * Agent Activity rows (10–60 µs of synchronous SQLite work per row, which on the main thread every request would
 * wait behind) and keys' last-use times. The same thread deletes rows past their retention and runs the WAL
 * checkpoints, which copy pages back and fsync. The server's own connection is then left with reads and the rare
 * management write. (In-memory databases cannot be shared with another thread; they keep writing on the main one.)
 */
export class ActivityWriter {
  private worker?: Worker
  private readonly pending = new Map<number, Waiter>()
  private nextId = 1
  private closed = false

  constructor(
    private readonly path: string,
    private readonly sql: {
      prune: string
      lastUsed: string
      upsertHour: string
      upsertRoute: string
      /** Deletes of rollup hours, each with one parameter: the cutoff. */
      pruneRollups: readonly string[]
      /** One line of the audit stream's outbox (written only while streaming is configured). */
      outboxInsert: string
    },
    /** Core's activity reasons, whose positions the compact rows store. */
    private readonly reasons: readonly string[],
    private readonly checkpointEveryMs = 10_000,
  ) {
    this.worker = this.spawn()
  }

  /** Rows, their increments of the hourly rollups and their audit-stream outbox lines, in one transaction. */
  async write(
    rows: readonly object[],
    hourly: readonly object[],
    routes: readonly object[],
    outbox: readonly object[] = [],
  ): Promise<void> {
    await this.send({ rows, hourly, routes, outbox })
  }

  /** Deletes the rows older than `before`, in slices; resolves with how many. */
  prune(before: number): Promise<number> {
    return this.send({ pruneBefore: before })
  }

  /** Keys' last-use times, [id, at]; a time never replaces a later one. */
  async recordLastUsed(entries: ReadonlyArray<readonly [string, number]>): Promise<void> {
    await this.send({ lastUsed: entries })
  }

  private send(
    message:
      | {
          rows: readonly object[]
          hourly: readonly object[]
          routes: readonly object[]
          outbox: readonly object[]
        }
      | { pruneBefore: number }
      | { lastUsed: ReadonlyArray<readonly [string, number]> },
  ): Promise<number> {
    if (this.closed) return Promise.reject(new Error('activity writer closed'))
    // A thread that died (it should not) is replaced, so that one failure loses one batch, not every later one.
    this.worker ??= this.spawn()
    const worker = this.worker
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      worker.ref()
      worker.postMessage({ id, ...message })
    })
  }

  async close(): Promise<void> {
    this.closed = true
    await this.worker?.terminate()
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./activity-writer.worker.js', import.meta.url), {
      workerData: {
        path: this.path,
        sql: this.sql,
        reasons: this.reasons,
        checkpointEveryMs: this.checkpointEveryMs,
      },
    })
    worker.on('message', ({ id, error, deleted }: { id: number; error?: string; deleted?: number }) => {
      const waiter = this.pending.get(id)
      this.pending.delete(id)
      if (this.pending.size === 0) worker.unref()
      if (error) waiter?.reject(new Error(error))
      else waiter?.resolve(deleted ?? 0)
    })
    worker.on('error', (error) => this.failAll(error))
    worker.on('exit', () => {
      this.failAll(new Error('activity writer stopped'))
      if (this.worker === worker) this.worker = undefined
    })
    // An idle writer must not keep a finished process alive; one with rows in hand must (a shutdown's last flush).
    worker.unref()
    return worker
  }

  private failAll(error: Error) {
    for (const waiter of this.pending.values()) waiter.reject(error)
    this.pending.clear()
  }
}
