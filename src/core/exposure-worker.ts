import { actOnExposure, type ExposureDeps } from './exposures.ts'

export interface ExposureWorkerOptions {
  /** How often every node looks for reports nobody finished (a node that died mid-way): 5 s. */
  pollMs?: number
  /** How long a claimed report is this node's before another may take it over: 20 s. */
  leaseMs?: number
  onError?(error: unknown): void
}

/**
 * Acts on queued leak reports. `kick()` runs it right after a report is acknowledged, so a leaked key is revoked
 * within a moment of GitHub's call; the poll catches what a crash left behind, at the latest after a lease and a
 * poll (25 s), well inside the 60 s the issue allows. One drain at a time per node; across nodes, the claim decides.
 */
export class ExposureWorker {
  private readonly pollMs: number
  private readonly leaseMs: number
  private timer: NodeJS.Timeout | undefined
  private running: Promise<number> | undefined
  private again = false

  constructor(
    private readonly deps: ExposureDeps,
    private readonly options: ExposureWorkerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 5_000
    this.leaseMs = options.leaseMs ?? 20_000
  }

  start(): void {
    this.timer ??= setInterval(() => this.kick(), this.pollMs).unref()
    this.kick()
  }

  /** Drains now, in the background. */
  kick(): void {
    void this.drain().catch((error) => this.options.onError?.(error))
  }

  /** Acts on every due report; resolves with how many this node acted on. A call during a drain joins it. */
  drain(): Promise<number> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.drainAll().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.running?.catch(() => undefined)
  }

  private async drainAll(): Promise<number> {
    let acted = 0
    do {
      this.again = false
      acted += await this.drainOnce()
    } while (this.again)
    return acted
  }

  private async drainOnce(): Promise<number> {
    let acted = 0
    for (;;) {
      const due = await this.deps.storage.exposures.listDue(this.deps.clock(), 50)
      if (due.length === 0) return acted
      for (const exposure of due) {
        const lease = this.deps.clock() + this.leaseMs
        if (!(await this.deps.storage.exposures.claim(exposure.id, exposure.leaseUntil, lease))) continue
        try {
          if (await actOnExposure(this.deps, exposure, lease)) acted++
        } catch (error) {
          // Left claimed: its lease lapses and a later poll (here or on another node) tries again.
          this.options.onError?.(error)
        }
      }
    }
  }
}
