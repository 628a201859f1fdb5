import { Redis } from 'ioredis'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { hashKey } from '../src/core/key-format.ts'
import type { RateLimiter } from '../src/core/rate-limit.ts'
import { createRateLimiter } from '../src/storage/rate-limiter.ts'
import { apiWorld, bearer, requestFor, routesUnderTest } from './support/api.ts'

const redisUrl = process.env.TEST_REDIS_URL
const [route] = routesUnderTest
if (!route) throw new Error('no routes')
const tooMany = {
  error: 'rate_limit_exceeded',
  message: 'Rate limit exceeded. Please try again later.',
  status: 429,
}

/** A plus-plan (100/min) project with a key, on its own world. */
async function plusWorld(rateLimiter?: RateLimiter) {
  const world = await apiWorld(rateLimiter ? { rateLimiter } : {})
  const project = await world.plusProject()
  const key = await world.mint(project.id)
  const call = (k = key) => world.app.inject(requestFor(route as never, project.id, bearer(k)))
  return { world, project, key, call }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('per-key rate limit, in memory', () => {
  it('gives a plus key exactly 100 requests a minute, then 429 with headers, and resets after the window', async () => {
    const { world, project, call } = await plusWorld()
    try {
      const start = Math.floor(Date.now() / 60_000) * 60_000 + 5_000
      vi.useFakeTimers({ toFake: ['Date'], now: start })
      world.clock.set(start)
      const resetAt = String(Math.ceil((start + 60_000) / 1000))
      for (let i = 0; i < 100; i++) {
        const ok = await call()
        expect(ok.statusCode).toBe(200)
        expect([
          ok.headers['x-ratelimit-limit'],
          ok.headers['x-ratelimit-remaining'],
          ok.headers['x-ratelimit-reset'],
        ]).toEqual(['100', String(99 - i), resetAt])
      }
      const refused = await call()
      expect(refused.statusCode).toBe(429)
      expect(refused.json()).toEqual(tooMany)
      expect(refused.headers['x-ratelimit-remaining']).toBe('0')
      expect(refused.headers['x-ratelimit-reset']).toBe(resetAt)
      expect(refused.headers['retry-after']).toBe('60')

      // Another key of the same project has its own budget.
      expect((await call(await world.mint(project.id))).statusCode).toBe(200)

      vi.setSystemTime(start + 30_000)
      world.clock.set(start + 30_000)
      expect((await call()).headers['retry-after']).toBe('30')
      vi.setSystemTime(start + 60_001)
      world.clock.set(start + 60_001)
      const fresh = await call()
      expect(fresh.statusCode).toBe(200)
      expect(fresh.headers['x-ratelimit-remaining']).toBe('99')
    } finally {
      vi.useRealTimers()
      await world.close()
    }
  })
})

describe.skipIf(!redisUrl)('per-key rate limit, in Redis (TEST_REDIS_URL)', () => {
  it('counts in Redis: exactly 100, then 429, then a fresh window', async () => {
    // A window far longer than 102 requests take on a busy machine; its end is brought forward below, in Redis.
    const limiter = createRateLimiter({ redisUrl, windowSeconds: 60 })
    const { world, call, key } = await plusWorld(limiter)
    try {
      const statuses = []
      for (let i = 0; i < 101; i++) statuses.push((await call()).statusCode)
      expect(statuses.filter((s) => s === 200)).toHaveLength(100)
      expect(statuses.at(-1)).toBe(429)
      const refused = await call()
      expect(refused.json()).toEqual(tooMany)
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1)
      // The counter really lives in Redis (not in the in-memory fallback), with the window as its lifetime.
      const redis = new Redis(redisUrl as string)
      const record = await world.keyward.storage.keys.findAuthRecord(hashKey(key))
      const counter = `keyward:rl:100:${record?.id}`
      expect(Number(await redis.get(counter))).toBe(102)
      const ttl = await redis.pttl(counter)
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(60_000)
      // The window ends: Redis expires the counter (-2: no such key), and the next request starts a fresh one.
      await redis.pexpire(counter, 1)
      await expect.poll(() => redis.pttl(counter), { timeout: 30_000, interval: 20 }).toBe(-2)
      redis.disconnect()
      expect((await call()).statusCode).toBe(200)
    } finally {
      await world.close()
      await limiter.close()
    }
  })
})
