/** The outcome of charging requests to a key's per-minute budget. */
export interface RateDecision {
  /** Whether the charge got any of the budget (for a single request: whether it may run). */
  allowed: boolean
  /**
   * How many of the charged requests fit in the budget: the first `granted` may run, the rest are refused. A batch
   * charged as one is thereby cut exactly where single requests would have been.
   */
  granted: number
  limit: number
  remaining: number
  /** Unix seconds at which the current window ends. */
  resetAt: number
}

export interface RateLimiter {
  /** Charges `count` requests (default 1) at once, before any of them runs. */
  consume(keyId: string, limitPerMinute: number, count?: number): Promise<RateDecision>
  /** Reads the budget without charging (for responses that are refused before the limiter). */
  peek(keyId: string, limitPerMinute: number): Promise<RateDecision>
  /**
   * `consume` without a promise, for a limiter that counts in this process; undefined when the answer needs I/O
   * (a shared counter in Redis), and the caller must `consume` instead.
   */
  consumeNow?(keyId: string, limitPerMinute: number, count?: number): RateDecision | undefined
}
