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
 * Fixed one-minute windows per key: counted in this process by default (`inMemoryLimiter`), or by
 * rate-limiter-flexible in Redis (`REDIS_URL`) so that every node shares one counter per key. If Redis stops answering, each node falls back to
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
  if (!redis) return inMemoryLimiter(windowSeconds)
  const limiters = new Map<number, RateLimiterAbstract>()

  const limiterFor = (points: number): RateLimiterAbstract => {
    let limiter = limiters.get(points)
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: redis,
        points,
        duration: windowSeconds,
        keyPrefix: `keyward:rl:${points}`,
        insuranceLimiter: new RateLimiterMemory({
          points,
          duration: windowSeconds,
          keyPrefix: `rl${points}`,
        }),
        rejectIfRedisNotReady: true,
      })
      limiters.set(points, limiter)
    }
    return limiter
  }

  const fromRes = (limit: number, res: RateLimiterRes | null, count: number) =>
    decision(limit, res?.consumedPoints ?? 0, res?.msBeforeNext ?? windowSeconds * 1000, count)

  return {
    async consume(keyId, limit, count = 1) {
      try {
        return fromRes(limit, await limiterFor(limit).consume(keyId, count), count)
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return fromRes(limit, rejection, count)
        throw rejection
      }
    },
    async peek(keyId, limit) {
      const budget = fromRes(limit, await limiterFor(limit).get(keyId), 0)
      return { ...budget, allowed: budget.remaining > 0 }
    },
    async ping() {
      return redis.ping().then(
        () => true,
        () => false,
      )
    },
    async close() {
      redis.disconnect()
    },
  }
}

/**
 * The counter is incremented by the whole charge in one atomic step (INCRBY in Redis), so concurrent charges on
 * any node get disjoint ranges of it: the part of a charge's range within the limit is what it was granted.
 */
function decision(limit: number, consumed: number, msLeft: number, count: number): RateDecision {
  const granted = Math.min(count, Math.max(0, limit - (consumed - count)))
  return {
    allowed: granted > 0,
    granted,
    limit,
    remaining: Math.max(0, limit - consumed),
    resetAt: Math.ceil((Date.now() + msLeft) / 1000),
  }
}

interface Window {
  consumed: number
  endsAt: number
}

/**
 * One node's counters, with rate-limiter-flexible's in-memory semantics (a key's window opens at its first charge
 * and lasts `windowSeconds`; a limit has counters of its own), answered synchronously: the keyed pipeline then
 * admits a request with a cached key without a promise. rate-limiter-flexible's memory store also kept a timer per
 * key; here one sweep per window drops the windows that ended.
 */
function inMemoryLimiter(windowSeconds: number): RateLimiterHandle {
  const windowMs = windowSeconds * 1000
  const counters = new Map<number, Map<string, Window>>()
  const sweep = setInterval(() => {
    const now = Date.now()
    for (const windows of counters.values())
      for (const [keyId, window] of windows) if (window.endsAt <= now) windows.delete(keyId)
  }, windowMs)
  sweep.unref()

  const windowOf = (keyId: string, limit: number, now: number): Window | undefined => {
    const window = counters.get(limit)?.get(keyId)
    return window && window.endsAt > now ? window : undefined
  }

  const consumeNow = (keyId: string, limit: number, count = 1): RateDecision => {
    const now = Date.now()
    let window = windowOf(keyId, limit, now)
    if (window) window.consumed += count
    else {
      window = { consumed: count, endsAt: now + windowMs }
      let windows = counters.get(limit)
      if (!windows) {
        windows = new Map()
        counters.set(limit, windows)
      }
      windows.set(keyId, window)
    }
    return decision(limit, window.consumed, window.endsAt - now, count)
  }

  return {
    consumeNow,
    async consume(keyId, limit, count) {
      return consumeNow(keyId, limit, count)
    },
    async peek(keyId, limit) {
      const now = Date.now()
      const window = windowOf(keyId, limit, now)
      const budget = decision(limit, window?.consumed ?? 0, window ? window.endsAt - now : windowMs, 0)
      return { ...budget, allowed: budget.remaining > 0 }
    },
    async ping() {
      return null
    },
    async close() {
      clearInterval(sweep)
      counters.clear()
    },
  }
}
