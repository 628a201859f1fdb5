import type { Clock } from './clock.ts'
import type { Instant } from './model.ts'
import type { MailOutboxStore } from './ports.ts'

/**
 * Notice emails (SMTP_URL, KEYWARD_MAIL_FROM). Mails are queued in `mail_outbox` in the transaction that decides to
 * send them, and a dispatcher on every node sends the due ones, so a request never waits on SMTP and a failed send
 * is retried after a restart too.
 */
export type MailState = 'pending' | 'sent' | 'failed'

export interface QueuedMail {
  id: string
  to: string
  subject: string
  body: string
  state: MailState
  attempts: number
  /** When the next attempt is due; while one is in flight, the end of its lease. Null once finished. */
  nextAttemptAt: Instant | null
  /** The last failure, as the SMTP server or the network put it (operator-only: the table is never shown). */
  lastError: string | null
  createdAt: Instant
  finishedAt: Instant | null
}

export type MailOutcome = Pick<
  QueuedMail,
  'state' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'finishedAt'
>

/** The one piece of network I/O mail needs; the transport layer implements it with nodemailer. */
export interface MailSender {
  send(mail: { from: string; to: string; subject: string; text: string }): Promise<void>
}

/** What the core needs to write notice mails: who they are from, and where the dashboard is. */
export interface MailSettings {
  from: string
  dashboardUrl: string
}

/** Waits after the 1st…5th failed send: six attempts over about 8.5 hours, as for webhooks. */
export const defaultMailRetryDelaysMs: readonly number[] = [60_000, 300_000, 1_800_000, 7_200_000, 21_600_000]

export interface MailDispatcherOptions {
  from: string
  retryDelaysMs?: readonly number[]
  pollEveryMs?: number
  /** How long a claimed mail stays invisible to other nodes; longer than an SMTP conversation. */
  leaseMs?: number
  batchSize?: number
  onError?: (error: unknown) => void
}

export interface MailAttempt {
  id: string
  to: string
  subject: string
  sent: boolean
  error: string | null
}

/** Sends queued mails: claims each due one with a conditional update, sends it, and reschedules a failure. */
export class MailDispatcher {
  private readonly options: Required<MailDispatcherOptions>
  private timer?: NodeJS.Timeout
  private running: Promise<unknown> = Promise.resolve()
  private stopping = true

  constructor(
    private readonly mails: MailOutboxStore,
    private readonly sender: MailSender,
    private readonly clock: Clock,
    options: MailDispatcherOptions,
  ) {
    this.options = {
      retryDelaysMs: defaultMailRetryDelaysMs,
      pollEveryMs: 1000,
      leaseMs: 120_000,
      batchSize: 20,
      onError: () => {},
      ...options,
    }
  }

  start(): void {
    if (!this.stopping) return
    this.stopping = false
    const tick = () => {
      this.running = this.runDue().catch(this.options.onError)
      void this.running.then(() => {
        if (!this.stopping) this.timer = setTimeout(tick, this.options.pollEveryMs).unref()
      })
    }
    tick()
  }

  async stop(): Promise<void> {
    this.stopping = true
    clearTimeout(this.timer)
    await this.running
  }

  /** Sends every mail due now; returns what was attempted. */
  async runDue(): Promise<MailAttempt[]> {
    const attempts: MailAttempt[] = []
    for (;;) {
      const due = await this.mails.listDue(this.clock(), this.options.batchSize)
      const results = await Promise.all(due.map((mail) => this.claimAndSend(mail)))
      for (const result of results) if (result) attempts.push(result)
      if (due.length < this.options.batchSize || !results.some(Boolean)) return attempts
    }
  }

  private async claimAndSend(mail: QueuedMail): Promise<MailAttempt | undefined> {
    if (mail.nextAttemptAt === null) return undefined
    const lease = this.clock() + this.options.leaseMs
    try {
      if (!(await this.mails.claim(mail.id, mail.nextAttemptAt, lease))) return undefined
      let error: string | null = null
      try {
        await this.sender.send({
          from: this.options.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.body,
        })
      } catch (failure) {
        error = failure instanceof Error ? failure.message : String(failure)
        this.options.onError(failure)
      }
      const attempts = mail.attempts + 1
      const retryIn = this.options.retryDelaysMs[attempts - 1]
      const now = this.clock()
      const state = error === null ? 'sent' : retryIn === undefined ? 'failed' : 'pending'
      await this.mails.settle(mail.id, lease, {
        state,
        attempts,
        nextAttemptAt: state === 'pending' ? now + (retryIn ?? 0) : null,
        lastError: error,
        finishedAt: state === 'pending' ? null : now,
      })
      return { id: mail.id, to: mail.to, subject: mail.subject, sent: error === null, error }
    } catch (error) {
      this.options.onError(error)
      return undefined
    }
  }
}
