import { randomUUID } from 'node:crypto'
import type { ActivityEntry } from './activity.ts'
import type { Clock } from './clock.ts'
import { eventActorId } from './events.ts'
import type { Instant, ManagementEvent } from './model.ts'
import type { AuditOutboxStore } from './ports.ts'
import { activityExportRecord } from './read-models/export.ts'
import { signWebhookBody, type WebhookSender, webhookHeaders } from './webhook-delivery.ts'

/**
 * Streaming the audit trail to a SIEM (KEYWARD_AUDIT_STREAM_URL).
 *
 * Design: a transactional outbox. While streaming is configured, the activity and event stores write one NDJSON line
 * per row into `audit_outbox` in the same transaction as the row (the activity writer's batch, the management
 * change's transaction), so a committed row is always streamed and a rolled-back one never. A streamer on every node
 * competes for one lease in the database; the holder sends the oldest lines in `seq` order as one signed POST, and
 * deletes them on a 2xx. A failure keeps them and retries with backoff; a restart finds them still there. Delivery is
 * therefore at least once (a 2xx whose deletion was lost, or a lease that lapsed mid-send, sends lines again), and
 * every line carries the row's own id so that the receiver drops duplicates.
 *
 * Why not a cursor over the activity and event tables: rows commit out of time order (each node buffers a second of
 * activity; transactions overlap), so a "sent up to here" mark would skip a row that commits late behind it. The
 * outbox costs one extra small insert per row, only when streaming is on, and holds only what is not yet delivered.
 */

/** The line of an activity row: the export's fields less the names (those are joins; the ids are all there). */
export function activityStreamLine(entry: ActivityEntry): { eventId: string; line: string; at: Instant } {
  const {
    projectName: _p,
    keyName: _k,
    keyPrefix: _x,
    ...fields
  } = activityExportRecord({
    ...entry,
    projectName: null,
    keyName: null,
    keyPrefix: null,
  })
  return { eventId: entry.id, at: entry.at, line: JSON.stringify({ type: 'activity', ...fields }) }
}

export function managementStreamLine(event: ManagementEvent): { eventId: string; line: string; at: Instant } {
  const { actor } = event
  const line = JSON.stringify({
    type: 'management',
    id: event.id,
    at: new Date(event.at).toISOString(),
    accountId: event.accountId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    actorKind: actor.kind,
    actorId: eventActorId(actor),
    details: event.details,
  })
  return { eventId: event.id, at: event.at, line }
}

export const auditStreamEvent = 'audit.batch'

export interface AuditStreamOptions {
  url: string
  secret: string
  /** Lines per POST. */
  batchSize?: number
  /** How often an idle streamer looks for new lines. */
  pollMs?: number
  timeoutMs?: number
  /** Waits after consecutive failures; the last one repeats. */
  retryMs?: readonly number[]
  /** How long a node holds the stream without renewing; longer than one POST's timeout. */
  leaseMs?: number
  onError?: (error: unknown) => void
}

export type RoundResult = 'sent' | 'idle' | 'failed' | 'standby'

/** Sends the outbox to the SIEM receiver, one batch at a time, in order. `keyward serve` starts one per node. */
export class AuditStreamer {
  /** This process's name in the lease. */
  readonly holder = randomUUID()
  private readonly options: Required<AuditStreamOptions>
  private running = false
  private failures = 0
  private loop?: Promise<void>
  private wake?: () => void
  private timer?: NodeJS.Timeout

  constructor(
    private readonly outbox: AuditOutboxStore,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
    options: AuditStreamOptions,
  ) {
    this.options = {
      batchSize: 500,
      pollMs: 1000,
      timeoutMs: 10_000,
      retryMs: [1000, 2000, 5000, 15_000, 60_000, 300_000],
      leaseMs: 30_000,
      onError: () => {},
      ...options,
    }
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  /** Finishes the POST in flight (its lines are deleted on a 2xx, kept otherwise) and hands the lease back. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    clearTimeout(this.timer)
    this.wake?.()
    await this.loop
    await this.outbox.release(this.holder).catch(this.options.onError)
  }

  /** One batch: take or renew the lease, send the oldest lines, delete them on a 2xx. */
  async runOnce(): Promise<RoundResult> {
    const now = this.clock()
    if (!(await this.outbox.lease(this.holder, now, now + this.options.leaseMs))) return 'standby'
    const lines = await this.outbox.next(this.options.batchSize)
    if (lines.length === 0) return 'idle'
    const body = `${lines.map((l) => l.line).join('\n')}\n`
    const headers = {
      ...webhookHeaders(auditStreamEvent, signWebhookBody(this.options.secret, body)),
      'Content-Type': 'application/x-ndjson',
    }
    try {
      const { status } = await this.sender.send(this.options.url, headers, body, this.options.timeoutMs)
      if (status < 200 || status > 299) throw new Error(`audit stream receiver answered ${status}`)
    } catch (error) {
      this.failures += 1
      this.options.onError(error)
      return 'failed'
    }
    this.failures = 0
    await this.outbox.remove(lines.map((l) => l.seq))
    return 'sent'
  }

  private async run(): Promise<void> {
    while (this.running) {
      const result = await this.runOnce().catch((error): RoundResult => {
        this.options.onError(error)
        this.failures += 1
        return 'failed'
      })
      if (result === 'sent') continue
      const { retryMs, pollMs, leaseMs } = this.options
      const wait =
        result === 'failed'
          ? (retryMs[Math.min(this.failures, retryMs.length) - 1] ?? pollMs)
          : result === 'standby'
            ? Math.min(leaseMs, pollMs * 5)
            : pollMs
      await new Promise<void>((resolve) => {
        this.wake = resolve
        this.timer = setTimeout(resolve, wait).unref()
      })
    }
  }
}
