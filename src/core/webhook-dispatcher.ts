import { randomUUID } from 'node:crypto'
import type { Clock } from './clock.ts'
import type { Storage } from './ports.ts'
import type { OutboundFailure } from './public-address.ts'
import {
  type DeliveryState,
  SendFailure,
  signWebhookBody,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookSender,
  webhookHeaders,
} from './webhook-delivery.ts'
import { webhookUrlRefusal } from './webhooks.ts'

/** Waits after the 1st…5th failed attempt: six attempts spread over about 8.5 hours. */
export const defaultRetryDelaysMs: readonly number[] = [60_000, 300_000, 1_800_000, 7_200_000, 21_600_000]

export interface WebhookDispatcherOptions {
  /** One wait per retry; a delivery gets `retryDelaysMs.length + 1` attempts in all. */
  retryDelaysMs?: readonly number[]
  pollEveryMs?: number
  timeoutMs?: number
  /**
   * How long a claimed delivery stays invisible to other dispatchers. Longer than `timeoutMs`, so that a slow
   * receiver is not sent the same attempt twice; a node that dies mid-send is covered once the lease runs out.
   */
  leaseMs?: number
  batchSize?: number
  /** Re-checked at every send: a URL accepted in a development set-up is not called by a production one. */
  allowInsecureUrls?: boolean
  onError?: (error: unknown) => void
  /** Each attempt that got no HTTP answer, with the detail that the stored, generic error leaves out. */
  onAttemptFailure?: (failed: FailedAttempt) => void
}

/** What the server log gets of an attempt that failed without a status; members see only `error`. */
export type FailedAttempt = Pick<WebhookAttempt, 'deliveryId' | 'attempt'> & {
  webhookId: string
  attemptId: string
  error: OutboundFailure
  detail: string
}

/** What one claim led to: the delivery as it now stands, and the attempt made (none if it was cancelled). */
export interface DeliveryOutcome {
  delivery: WebhookDelivery
  attempt: WebhookAttempt | null
}

/**
 * Sends queued deliveries. Polls the database for due rows, claims each with a conditional update (so several nodes
 * can share one database), signs the stored body with the webhook's current secret, and reschedules failures.
 */
export class WebhookDispatcher {
  private readonly options: Required<WebhookDispatcherOptions>
  private timer?: NodeJS.Timeout
  private running: Promise<void> = Promise.resolve()
  private started = false
  private stopping = false

  constructor(
    private readonly storage: Storage,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
    options: WebhookDispatcherOptions = {},
  ) {
    this.options = {
      retryDelaysMs: defaultRetryDelaysMs,
      pollEveryMs: 1000,
      timeoutMs: 10_000,
      leaseMs: 60_000,
      batchSize: 20,
      allowInsecureUrls: false,
      onError: () => {},
      onAttemptFailure: () => {},
      ...options,
    }
    if (this.options.leaseMs <= this.options.timeoutMs) throw new Error('leaseMs must exceed timeoutMs')
  }

  /** Sends what is already due (deliveries survive restarts in the database), then polls. */
  start(): void {
    if (this.started) return
    this.started = true
    this.stopping = false
    const tick = () => {
      this.running = this.runDue().then(
        () => {},
        (error) => this.options.onError(error),
      )
      void this.running.then(() => {
        if (!this.stopping) this.timer = setTimeout(tick, this.options.pollEveryMs).unref()
      })
    }
    tick()
  }

  /** Stops polling and waits for the attempts in flight, so that their outcome is recorded before shutdown. */
  async stop(): Promise<void> {
    this.stopping = true
    this.started = false
    clearTimeout(this.timer)
    await this.running
  }

  /** Claims and attempts every delivery due now, batch after batch, until none is left. */
  async runDue(): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = []
    for (;;) {
      const due = await this.storage.deliveries.listDue(this.clock(), this.options.batchSize)
      const results = await Promise.all(due.map((delivery) => this.claimAndAttempt(delivery)))
      for (const result of results) if (result) outcomes.push(result)
      // A full batch of which nothing could be claimed (other nodes, or a failing database) waits for the next poll.
      const claimedAny = results.some((result) => result !== undefined)
      if (due.length < this.options.batchSize || this.stopping || !claimedAny) return outcomes
    }
  }

  /** Attempts one delivery now if it is pending and due (`keyward webhook test`); undefined if not, or if taken. */
  async deliverIfDue(deliveryId: string): Promise<DeliveryOutcome | undefined> {
    const delivery = await this.storage.deliveries.findById(deliveryId)
    if (delivery?.state !== 'pending' || delivery.nextAttemptAt === null) return undefined
    if (delivery.nextAttemptAt > this.clock()) return undefined
    return this.claimAndAttempt(delivery)
  }

  private async claimAndAttempt(delivery: WebhookDelivery): Promise<DeliveryOutcome | undefined> {
    try {
      const lease = this.clock() + this.options.leaseMs
      if (delivery.nextAttemptAt === null) return undefined
      if (!(await this.storage.deliveries.claim(delivery.id, delivery.nextAttemptAt, lease))) return undefined
      return await this.attempt(delivery, lease)
    } catch (error) {
      this.options.onError(error)
      return undefined
    }
  }

  private async attempt(delivery: WebhookDelivery, lease: number): Promise<DeliveryOutcome> {
    const webhook = await this.storage.webhooks.findById(delivery.webhookId)
    // Read at send time, never cached: once a rotation commits, the old secret signs nothing more.
    const secret = webhook?.isActive ? await this.storage.webhooks.secretOf(webhook.id) : undefined
    if (!webhook?.isActive || secret === undefined) {
      const cancelled = { state: 'cancelled' as const, nextAttemptAt: null, finishedAt: this.clock() }
      await this.storage.deliveries.settle(delivery.id, lease, cancelled)
      return { delivery: { ...delivery, ...cancelled }, attempt: null }
    }

    const at = this.clock()
    const started = performance.now()
    let statusCode: number | null = null
    let failed: SendFailure | undefined
    try {
      const refusal = webhookUrlRefusal(webhook.url, this.options.allowInsecureUrls)
      if (refusal) throw new SendFailure('address not allowed', refusal)
      const headers = webhookHeaders(delivery.event, signWebhookBody(secret, delivery.body))
      statusCode = (await this.sender.send(webhook.url, headers, delivery.body, this.options.timeoutMs))
        .status
    } catch (error) {
      failed = error instanceof SendFailure ? error : new SendFailure('connection failed', String(error))
    }
    const durationMs = performance.now() - started

    const succeeded = statusCode !== null && statusCode >= 200 && statusCode < 300
    /** What follows the attempt numbered `number`: the retry schedule follows the count, not the claim's copy. */
    const nextAfter = (number: number) => {
      const retryIn = this.options.retryDelaysMs[number - 1]
      const state: DeliveryState = succeeded ? 'delivered' : retryIn === undefined ? 'failed' : 'pending'
      const now = this.clock()
      return {
        state,
        nextAttemptAt: state === 'pending' ? now + (retryIn ?? 0) : null,
        finishedAt: state === 'pending' ? null : now,
      }
    }
    // An attempt that was sent is always counted (`attempts` + 1) and logged (a row numbered with that count), in
    // one transaction, whatever raced with it: a receiver that saw the request finds it in the log. Only the holder
    // of the lease moves the delivery on. A delete that committed during the send has cancelled it, and it stays
    // cancelled; a send that outlived its lease may have let another node claim the delivery, which is then that
    // node's to settle. On Postgres the increment takes the row lock first, so a concurrent delete either commits
    // before (and the delivery stays cancelled) or waits and then cancels the retry this attempt scheduled.
    const outcome = await this.storage.transaction(async (stores) => {
      const number = await stores.deliveries.countAttempt(delivery.id)
      const next = nextAfter(number)
      const held = await stores.deliveries.settle(delivery.id, lease, next)
      const attempt: WebhookAttempt = {
        id: randomUUID(),
        deliveryId: delivery.id,
        attempt: number,
        at,
        statusCode,
        durationMs,
        error: failed?.failure ?? null,
      }
      await stores.deliveries.insertAttempt(attempt)
      const settled = { ...delivery, ...next, attempts: number }
      return {
        delivery: held ? settled : ((await stores.deliveries.findById(delivery.id)) ?? settled),
        attempt,
      }
    })
    if (failed) {
      const { id: attemptId, deliveryId, attempt: number } = outcome.attempt
      const ids = { webhookId: webhook.id, deliveryId, attemptId, attempt: number }
      this.options.onAttemptFailure({ ...ids, error: failed.failure, detail: failed.message })
    }
    return outcome
  }
}
