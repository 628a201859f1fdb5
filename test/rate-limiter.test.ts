import { describe, expect, it } from 'vitest'
import { createRateLimiter } from '../src/storage/rate-limiter.ts'

describe('the rate limiter when Redis is unreachable', () => {
  it('fails over to an in-memory counter per node: the API stays up and keys stay limited; the error is reported', async () => {
    const errors: Error[] = []
    const limiter = createRateLimiter({
      redisUrl: 'redis://127.0.0.1:9',
      onRedisError: (e) => errors.push(e),
    })
    try {
      const decisions = []
      for (let i = 0; i < 4; i++) decisions.push(await limiter.consume('key-1', 3))
      expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
      ])
      expect((await limiter.consume('key-2', 3)).allowed).toBe(true)
      expect(await limiter.ping()).toBe(false)
      await expect.poll(() => errors.length, { timeout: 20_000, interval: 20 }).toBeGreaterThan(0)
      expect(errors[0]?.message).toMatch(/ECONNREFUSED/)
    } finally {
      await limiter.close()
    }
  })
})

const redisUrl = process.env.TEST_REDIS_URL

describe('charging several requests at once', () => {
  it('grants the part of a charge that fits the budget, and nothing once it is spent', async () => {
    const limiter = createRateLimiter()
    try {
      const decisions = []
      for (const count of [4, 4, 4, 1]) decisions.push(await limiter.consume('key-1', 10, count))
      expect(decisions.map((d) => [d.granted, d.allowed, d.remaining])).toEqual([
        [4, true, 6],
        [4, true, 2],
        [2, true, 0],
        [0, false, 0],
      ])
      expect((await limiter.peek('key-1', 10)).allowed).toBe(false)
      expect((await limiter.peek('key-2', 10)).allowed).toBe(true)
    } finally {
      await limiter.close()
    }
  })

  it.skipIf(!redisUrl)(
    'grants exactly the limit in all across two nodes charging batches concurrently in one Redis',
    async () => {
      const nodes = [createRateLimiter({ redisUrl }), createRateLimiter({ redisUrl })]
      const keyId = `batch-${Math.random().toString(16).slice(2)}`
      try {
        // Until a node's connection is up it counts in memory (the insurance limiter); this is about Redis.
        for (const node of nodes) while (!(await node.ping())) await new Promise((r) => setTimeout(r, 10))
        const sizes = Array.from({ length: 60 }, (_, i) => 1 + ((i * 7) % 13))
        const decisions = await Promise.all(
          sizes.map((size, i) => (nodes[i % 2] as (typeof nodes)[0]).consume(keyId, 100, size)),
        )
        expect(decisions.reduce((sum, d) => sum + d.granted, 0)).toBe(100)
        // At most one charge is cut in the middle: the one whose range crosses the limit.
        const cut = decisions.filter((d, i) => d.granted > 0 && d.granted < (sizes[i] as number))
        expect(cut.length).toBeLessThanOrEqual(1)
      } finally {
        await Promise.all(nodes.map((node) => node.close()))
      }
    },
  )
})
