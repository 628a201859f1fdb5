import type { RateDecision, RateLimiter } from '../../src/core/rate-limit.ts'

/**
 * A rate limiter whose budgets the test sets per key (unlimited unless set), so that a refusal needs no hundreds of
 * requests first. It grants as the real one does: as many of a charge as the budget holds.
 */
export function budgetLimiter() {
  const budgets = new Map<string, number>()
  const decision = (granted: number, remaining: number, limit: number): RateDecision => ({
    allowed: granted > 0,
    granted,
    limit,
    remaining: Number.isFinite(remaining) ? remaining : limit,
    resetAt: Math.ceil(Date.now() / 60_000) * 60,
  })
  const limiter: RateLimiter = {
    async consume(keyId, limit, count = 1) {
      const budget = budgets.get(keyId) ?? Number.POSITIVE_INFINITY
      const granted = Math.min(count, budget)
      budgets.set(keyId, budget - granted)
      return decision(granted, budget - granted, limit)
    },
    async peek(keyId, limit) {
      return decision(0, budgets.get(keyId) ?? Number.POSITIVE_INFINITY, limit)
    },
  }
  return { limiter, setBudget: (keyId: string, requests: number) => budgets.set(keyId, requests) }
}
