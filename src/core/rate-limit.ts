/** The outcome of charging one request to a key's per-minute budget. */
export interface RateDecision {
  allowed: boolean
  limit: number
  remaining: number
  /** Unix seconds at which the current window ends. */
  resetAt: number
}

export interface RateLimiter {
  /** Charges one request. */
  consume(keyId: string, limitPerMinute: number): Promise<RateDecision>
  /** Reads the budget without charging (for responses that are refused before the limiter). */
  peek(keyId: string, limitPerMinute: number): Promise<RateDecision>
}
