import type { ActivityReason } from './activity-reason.ts'
import type { Clock } from './clock.ts'
import type { Instant } from './model.ts'
import type { ActivityStore, EventStore, KeyStore } from './ports.ts'
import { redactKeys } from './redact.ts'

/** One keyed request (REST or MCP) as Agent Activity shows it. Never the key itself. */
export interface ActivityEntry {
  /**
   * The stored row's id (its time, made by the store as it writes the row, see storage/activity-codec.js): the id
   * that reads, exports and the audit stream show. Empty in an entry not yet written.
   */
  id: string
  at: Instant
  accountId: string | null
  projectId: string | null
  keyId: string | null
  method: string
  /** The route pattern (or MCP tool name); null when no route matched. */
  route: string | null
  path: string
  status: number
  scope: string | null
  latencyMs: number
  errorCode: string | null
  rateLimited: boolean
  /** Why the request was refused (null when it was not); the caller only ever got the generic answer. */
  reason: ActivityReason | null
  /** For `wrong_project`: the project the request asked for. */
  requestedProjectId: string | null
  /** The `x-request-id` of the HTTP response (an MCP batch's calls share one). */
  requestId: string | null
  /** MCP: the JSON-RPC id of the call, as text. */
  rpcId: string | null
  clientIp: string | null
  userAgent: string | null
}

const maxCallerTextLength = 100
const callerText = (text: string | null) =>
  text === null
    ? null
    : text.length <= maxCallerTextLength
      ? redactKeys(text) // redaction only shortens: no copy to cut
      : redactKeys(text).slice(0, maxCallerTextLength)

export interface ActivityRecorderOptions {
  flushEveryMs?: number
  maxBufferedRows?: number
  lastUsedEveryMs?: number
  retentionDays?: number
  /** KEYWARD_HISTORY_RETENTION_DAYS: management events older than this go in the same hourly job; kept otherwise. */
  history?: { events: Pick<EventStore, 'deleteBefore'>; retentionDays: number }
  onError?: (error: unknown) => void
}

/**
 * Buffers activity rows and last-use times in memory so that no request waits on a database write. Rows are handed
 * to the store every 250 ms or every 1,000 rows; last-use times are coalesced per key and written at most 5 s late.
 * `stop()` writes whatever is still buffered.
 *
 * The promise is that a process killed outright loses no row answered more than 1 s before: a row waits at most one
 * flush interval, plus however late the timer fires (the event loop's lag), plus the batch write before it and its
 * own. A second-long interval spent the whole budget on waiting, so that any write time or lag broke it.
 */
export class ActivityRecorder {
  private rows: ActivityEntry[] = []
  private readonly lastUsed = new Map<string, Instant>()
  private rowTimer?: NodeJS.Timeout
  private lastUsedTimer?: NodeJS.Timeout
  private pruneTimer?: NodeJS.Timeout
  private flushing: Promise<void> = Promise.resolve()
  private readonly options: Required<Omit<ActivityRecorderOptions, 'history'>> &
    Pick<ActivityRecorderOptions, 'history'>

  constructor(
    private readonly activity: ActivityStore,
    private readonly keys: Pick<KeyStore, 'recordLastUsed'>,
    private readonly clock: Clock,
    options: ActivityRecorderOptions = {},
  ) {
    this.options = {
      flushEveryMs: 250,
      maxBufferedRows: 1000,
      lastUsedEveryMs: 5000,
      retentionDays: 30,
      onError: () => {},
      ...options,
    }
  }

  start(): void {
    this.rowTimer = setInterval(() => void this.flushRows(), this.options.flushEveryMs).unref()
    this.lastUsedTimer = setInterval(() => void this.flushLastUsed(), this.options.lastUsedEveryMs).unref()
    this.pruneTimer = setInterval(() => void this.prune(), 3_600_000).unref()
    void this.prune()
  }

  record(entry: Omit<ActivityEntry, 'id'>): void {
    // The id is the store's to make (it is the row's time, made as the batch is written). What the caller
    // wrote (path, MCP tool name, user agent, JSON-RPC id) is stored with keys redacted: Viewers read these rows.
    // The client picks its tool names, JSON-RPC ids, the project id in a path and (behind a trusted proxy) the
    // forwarded address: any text, of any length. Written field by field (not `{ id, ...entry }`): every row then
    // has one shape, and V8 builds it without copying the entry's properties one by one.
    this.rows.push({
      id: '',
      at: entry.at,
      accountId: entry.accountId,
      projectId: entry.projectId,
      keyId: entry.keyId,
      method: entry.method,
      route: callerText(entry.route),
      path: redactKeys(entry.path),
      status: entry.status,
      scope: entry.scope,
      latencyMs: entry.latencyMs,
      errorCode: entry.errorCode,
      rateLimited: entry.rateLimited,
      reason: entry.reason,
      requestedProjectId: callerText(entry.requestedProjectId),
      requestId: entry.requestId,
      rpcId: callerText(entry.rpcId),
      clientIp: callerText(entry.clientIp),
      userAgent: entry.userAgent === null ? null : redactKeys(entry.userAgent),
    })
    if (this.rows.length >= this.options.maxBufferedRows) void this.flushRows()
  }

  touch(keyId: string, at: Instant): void {
    this.lastUsed.set(keyId, at)
  }

  /** Writes everything buffered now; used at shutdown and by tests. */
  async flush(): Promise<void> {
    await Promise.all([this.flushRows(), this.flushLastUsed()])
  }

  async stop(): Promise<void> {
    clearInterval(this.rowTimer)
    clearInterval(this.lastUsedTimer)
    clearInterval(this.pruneTimer)
    await this.flush()
  }

  /** The retention job (hourly): activity past its retention, then management history past its own, if set. */
  async prune(): Promise<number> {
    const cutoff = this.clock() - this.options.retentionDays * 86_400_000
    const deleted = await this.activity.deleteBefore(cutoff).catch((error) => {
      this.options.onError(error)
      return 0
    })
    await this.pruneHistory()
    return deleted
  }

  /** Deletes management events past KEYWARD_HISTORY_RETENTION_DAYS; nothing when it is unset (the default). */
  async pruneHistory(): Promise<number> {
    const history = this.options.history
    if (!history) return 0
    return history.events.deleteBefore(this.clock() - history.retentionDays * 86_400_000).catch((error) => {
      this.options.onError(error)
      return 0
    })
  }

  /** Batches are written one after another, so that a slow write never runs twice over the same rows. */
  private flushRows(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.rows.length === 0) return
      const batch = this.rows
      this.rows = []
      await this.activity.insertMany(batch).catch((error) => this.options.onError(error))
    })
    return this.flushing
  }

  private async flushLastUsed(): Promise<void> {
    if (this.lastUsed.size === 0) return
    const batch = new Map(this.lastUsed)
    this.lastUsed.clear()
    await this.keys.recordLastUsed(batch).catch((error) => this.options.onError(error))
  }
}
