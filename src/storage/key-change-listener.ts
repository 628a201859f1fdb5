import pg from 'pg'
import type { ExternalChangeSignal } from '../core/ports.ts'

export const keyChangeChannel = 'keyward_key_changes'
/** Webhook creations, deletions and secret rotations, by project id (each node caches its projects' lists). */
export const webhookChangeChannel = 'keyward_webhook_changes'

export interface KeyChangeListenerOptions {
  url: string
  log?: (level: 'info' | 'warn', message: string) => void
  maxBackoffMs?: number
}

/**
 * LISTENs on a dedicated connection (never through a transaction pooler, which would drop it silently) for the
 * key ids that revocations and scope changes NOTIFY inside their transactions, and for the project ids that webhook
 * changes NOTIFY. While the connection is down the
 * node trusts no cached key at all (`changedSinceLastCheck` says so on every call, so each verification reads the
 * database); on reconnect it LISTENs first and flushes the cache second, so that nothing revoked in the gap
 * survives.
 */
/** The caches a listener keeps true: the key verifier's and, optionally, the per-project webhook lists. */
export interface ListenedCaches {
  keys: { evictKey(keyId: string): void; evictAll(): void }
  webhookLists?: { invalidate(projectId: string): void; clear(): void }
  /** OAuth grants (issue 17): announced on the key channel by their id, like keys. */
  grants?: { evictKey(grantId: string): void; evictAll(): void }
}

export class KeyChangeListener implements ExternalChangeSignal {
  private caches?: ListenedCaches
  private client?: pg.Client
  private listening = false
  private stopped = false
  private attempt = 0
  private retryTimer?: NodeJS.Timeout

  constructor(private readonly options: KeyChangeListenerOptions) {}

  /**
   * The verifier is built with this listener (it asks it whether notifications can arrive) and this listener evicts
   * from the verifier's cache: the caches are attached once they all exist, before `start()`.
   */
  evictsFrom(caches: ListenedCaches): void {
    this.caches = caches
  }

  /** Whatever was cached may be stale (the connection was lost or regained). */
  private flush(): void {
    this.caches?.keys.evictAll()
    this.caches?.grants?.evictAll()
    this.caches?.webhookLists?.clear()
  }

  get isListening(): boolean {
    return this.listening
  }

  /** True on every call while notifications cannot arrive: the verifier then bypasses its cache. */
  changedSinceLastCheck(): boolean {
    return !this.listening
  }

  async start(): Promise<void> {
    await this.connect()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.retryTimer)
    this.listening = false
    await this.client?.end().catch(() => {})
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: `keyward-listener:${process.pid}`,
    })
    this.client = client
    client.on('notification', (message) => {
      if (!message.payload) return
      if (message.channel === keyChangeChannel) {
        // Key ids and grant ids never collide (UUIDs, provider ids): each cache drops what it holds under it.
        this.caches?.keys.evictKey(message.payload)
        this.caches?.grants?.evictKey(message.payload)
      } else if (message.channel === webhookChangeChannel)
        this.caches?.webhookLists?.invalidate(message.payload)
    })
    client.on('error', () => this.lost(client))
    client.on('end', () => this.lost(client))
    try {
      await client.connect()
      await client.query(`LISTEN ${keyChangeChannel}; LISTEN ${webhookChangeChannel}`)
      this.listening = true
      this.flush()
      if (this.attempt > 0) this.options.log?.('info', 'key-change listener reconnected; key cache flushed')
      this.attempt = 0
    } catch (error) {
      this.options.log?.('warn', `key-change listener could not connect: ${(error as Error).message}`)
      this.lost(client)
    }
  }

  private lost(client: pg.Client): void {
    if (client !== this.client || this.stopped) return
    this.client = undefined
    this.listening = false
    this.flush()
    client.end().catch(() => {})
    const delay = Math.min(this.options.maxBackoffMs ?? 5_000, 100 * 2 ** this.attempt)
    this.attempt += 1
    this.options.log?.(
      'warn',
      `key-change listener lost its connection; key cache flushed, retrying in ${delay} ms`,
    )
    this.retryTimer = setTimeout(() => void this.connect(), delay)
    this.retryTimer.unref()
  }
}
