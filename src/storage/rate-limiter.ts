import { Redis } from 'ioredis'
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible'
import type { RateDecision, RateLimiter } from '../core/rate-limit.ts'

export interface RateLimiterHandle extends RateLimiter {
  /** Whether Redis answers; null when counting in memory. */
  ping(): Promise<boolean | null>
  close(): Promise<void>
}

/**
 * Fixed one-minute windows per key, counted by rate-limiter-flexible: in this process by default, or in Redis
 * (`REDIS_URL`) so that every node shares one counter per key. If Redis stops answering, each node falls back to
 * its own in-memory counter (the library's insurance limiter): the API stays up and every key stays limited, at
 * worst to N × its limit across N nodes, until Redis is back.
 */
export function createRateLimiter(
  options: { redisUrl?: string; onRedisError?: (error: Error) => void; windowSeconds?: number } = {},
): RateLimiterHandle {
  const windowSeconds = options.windowSeconds ?? 60
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    : undefined
  redis?.on('error', (error) => options.onRedisError?.(error))
  const limiters = new Map<number, RateLimiterAbstract>()

  const limiterFor = (points: number): RateLimiterAbstract => {
    let limiter = limiters.get(points)
    if (!limiter) {
      const memory = new RateLimiterMemory({ points, duration: windowSeconds, keyPrefix: `rl${points}` })
      limiter = redis
        ? new RateLimiterRedis({
            storeClient: redis,
            points,
            duration: windowSeconds,
            keyPrefix: `keyward:rl:${points}`,
            insuranceLimiter: memory,
            rejectIfRedisNotReady: true,
          })
        : memory
      limiters.set(points, limiter)
    }
    return limiter
  }

  /**
   * The counter is incremented by the whole charge in one atomic step (INCRBY in Redis), so concurrent charges on
   * any node get disjoint ranges of it: the part of a charge's range within the limit is what it was granted.
   */
  const decision = (limit: number, res: RateLimiterRes | null, count: number): RateDecision => {
    const msLeft = res?.msBeforeNext ?? windowSeconds * 1000
    const consumed = res?.consumedPoints ?? 0
    const granted = Math.min(count, Math.max(0, limit - (consumed - count)))
    return {
      allowed: granted > 0,
      granted,
      limit,
      remaining: Math.max(0, limit - consumed),
      resetAt: Math.ceil((Date.now() + msLeft) / 1000),
    }
  }

  return {
    async consume(keyId, limit, count = 1) {
      try {
        return decision(limit, await limiterFor(limit).consume(keyId, count), count)
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return decision(limit, rejection, count)
        throw rejection
      }
    },
    async peek(keyId, limit) {
      const budget = decision(limit, await limiterFor(limit).get(keyId), 0)
      return { ...budget, allowed: budget.remaining > 0 }
    },
    async ping() {
      if (!redis) return null
      return redis.ping().then(
        () => true,
        () => false,
      )
    },
    async close() {
      redis?.disconnect()
    },
  }
}
