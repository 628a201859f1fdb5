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
      for (let waited = 0; errors.length === 0 && waited < 2_000; waited += 20)
        await new Promise((r) => setTimeout(r, 20))
      expect(errors[0]?.message).toMatch(/ECONNREFUSED/)
    } finally {
      await limiter.close()
    }
  })
})
