import { Worker } from 'node:worker_threads'

/**
 * Agent Activity rows are written by a worker thread with its own connection to the SQLite file: an insert costs
 * 10–35 µs of synchronous SQLite work per row, which on the main thread every keyed request would wait behind.
 * (In-memory databases cannot be shared with another thread; they keep writing on the main one.)
 */
export class ActivityWriter {
  private readonly worker: Worker
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>()
  private nextId = 1

  constructor(path: string, insertSql: string) {
    this.worker = new Worker(new URL('./activity-writer.worker.js', import.meta.url), {
      workerData: { path, insertSql },
    })
    this.worker.on('message', ({ id, error }: { id: number; error?: string }) => {
      const waiter = this.pending.get(id)
      this.pending.delete(id)
      if (this.pending.size === 0) this.worker.unref()
      if (error) waiter?.reject(new Error(error))
      else waiter?.resolve()
    })
    this.worker.on('error', (error) => this.failAll(error))
    this.worker.on('exit', () => this.failAll(new Error('activity writer stopped')))
    // An idle writer must not keep a finished process alive; one with rows in hand must (a shutdown's last flush).
    this.worker.unref()
  }

  write(rows: readonly object[]): Promise<void> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.ref()
      this.worker.postMessage({ id, rows })
    })
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }

  private failAll(error: Error) {
    for (const waiter of this.pending.values()) waiter.reject(error)
    this.pending.clear()
    this.worker.unref()
  }
}
