import { randomUUID } from 'node:crypto'
import { type NotifyDeps, queueNotice, relayKeyEvents, type SentNotice } from './key-events.ts'
import type { ApiKey, Instant } from './model.ts'

const day = 86_400_000

/** `api_key.expiring` goes out this many days before a key expires, once per threshold, largest first. */
export const expiringThresholdDays = [30, 7, 1] as const

/**
 * How long after its expiry a key still gets its `api_key.expired` notice: covers a job that did not run for a
 * while, without announcing, on the first start after an upgrade, keys that expired long ago.
 */
export const expiredNoticeWindowMs = 7 * day

/**
 * The notice a key is due at `now`, if any: `expired`, or the smallest expiring threshold it has crossed. When a key
 * crosses several at once (a job that was down), only the nearest is sent and the larger ones are recorded as
 * covered, so that a key never gets "30 days left" after "7 days left". A threshold that lies before the key was
 * created is skipped: a 30-day key is not told at birth that it expires in 30 days.
 */
export function dueNotice(
  key: Pick<ApiKey, 'expiresAt' | 'createdAt'>,
  now: Instant,
): { kind: string; covers: string[]; daysBefore?: number } | undefined {
  if (key.expiresAt === null) return undefined
  const { expiresAt, createdAt } = key
  const left = expiresAt - now
  if (left <= 0) return left > -expiredNoticeWindowMs ? { kind: 'expired', covers: [] } : undefined
  const crossed = expiringThresholdDays.filter(
    (days) => left <= days * day && createdAt < expiresAt - days * day,
  )
  const nearest = crossed.at(-1)
  if (nearest === undefined) return undefined
  return {
    kind: `expiring_${nearest}`,
    covers: crossed.filter((d) => d !== nearest).map((d) => `expiring_${d}`),
    daysBefore: nearest,
  }
}

/**
 * One pass of the lifecycle job: the expiring and expired notices due now. A notice is sent only by the transaction
 * that inserts its `key_notices` row, so two passes (a restart, two nodes, the CLI beside a server) never send it
 * twice.
 */
export async function sendDueExpiryNotices(deps: NotifyDeps): Promise<SentNotice[]> {
  const now = deps.clock()
  const keys = await deps.storage.notices.keysExpiringBetween(
    now - expiredNoticeWindowMs,
    now + expiringThresholdDays[0] * day,
  )
  const sent: SentNotice[] = []
  for (const key of keys) {
    const due = dueNotice(key, now)
    if (!due || key.expiresAt === null) continue
    const expiresAt = key.expiresAt
    const notice = await deps.storage.transaction(async (stores) => {
      const record = (kind: string) =>
        stores.notices.recordNotice({ keyId: key.id, kind, expiresAt, at: now })
      for (const kind of due.covers) await record(kind)
      if (!(await record(due.kind))) return undefined
      return queueNotice(deps, stores, {
        key,
        event: due.kind === 'expired' ? 'api_key.expired' : 'api_key.expiring',
        at: now,
        actor: null,
        fields: due.daysBefore === undefined ? {} : { daysBefore: due.daysBefore },
      })
    })
    if (notice) sent.push(notice)
  }
  return sent
}

/** Relays the waiting key events, then sends the expiry notices due: what `keyward lifecycle run` does once. */
export async function runLifecycleOnce(deps: NotifyDeps): Promise<SentNotice[]> {
  return [...(await relayKeyEvents(deps)), ...(await sendDueExpiryNotices(deps))]
}

export interface LifecycleJobOptions {
  /** How often the key events (created, revoked…) are relayed; every node relays, each event once. */
  relayEveryMs?: number
  /** How often the expiry notices are looked for; only the holder of the lease looks. */
  scanEveryMs?: number
  /** How long the lease lasts without renewal; longer than a scan. */
  leaseMs?: number
  onError?: (error: unknown) => void
  onSent?: (notices: SentNotice[]) => void
}

export const lifecycleLeaseName = 'lifecycle'

/**
 * The lifecycle job of `keyward serve`: relays key events every second, and once at start and every minute the node
 * holding the `lifecycle` lease sends the expiry notices due.
 */
export class LifecycleJob {
  readonly holder = randomUUID()
  private readonly options: Required<LifecycleJobOptions>
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private relaying: Promise<unknown> = Promise.resolve()
  private scanning: Promise<unknown> = Promise.resolve()
  private stopping = true

  constructor(
    private readonly deps: NotifyDeps,
    options: LifecycleJobOptions = {},
  ) {
    this.options = {
      relayEveryMs: 1000,
      scanEveryMs: 60_000,
      leaseMs: 150_000,
      onError: () => {},
      onSent: () => {},
      ...options,
    }
  }

  /** Relays the key events waiting now. */
  async relay(): Promise<SentNotice[]> {
    const sent = await relayKeyEvents(this.deps)
    if (sent.length > 0) this.options.onSent(sent)
    return sent
  }

  /** Takes or renews the lease and sends the expiry notices due; `standby` while another node holds it. */
  async scan(): Promise<SentNotice[] | 'standby'> {
    const now = this.deps.clock()
    const leased = await this.deps.storage.notices.lease(
      lifecycleLeaseName,
      this.holder,
      now,
      now + this.options.leaseMs,
    )
    if (!leased) return 'standby'
    const sent = await sendDueExpiryNotices(this.deps)
    if (sent.length > 0) this.options.onSent(sent)
    return sent
  }

  start(): void {
    if (!this.stopping) return
    this.stopping = false
    this.loop('relay', () => (this.relaying = this.relay()), this.options.relayEveryMs)
    this.loop('scan', () => (this.scanning = this.scan()), this.options.scanEveryMs)
  }

  /** Finishes the pass in flight and hands the lease back, so that another node takes over at once. */
  async stop(): Promise<void> {
    this.stopping = true
    for (const timer of this.timers.values()) clearTimeout(timer)
    await Promise.allSettled([this.relaying, this.scanning])
    await this.deps.storage.notices.release(lifecycleLeaseName, this.holder).catch(this.options.onError)
  }

  private loop(name: string, pass: () => Promise<unknown>, everyMs: number): void {
    const tick = () => {
      void pass()
        .catch(this.options.onError)
        .then(() => {
          if (!this.stopping) this.timers.set(name, setTimeout(tick, everyMs).unref())
        })
    }
    tick()
  }
}
