import { Redis } from 'ioredis'
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible'
import type { SignInThrottle } from '../core/sign-in-throttle.ts'

/** How many failed sign-ins are allowed per window before further attempts wait. */
export const signInLimits = { perIp: 30, perEmail: 8, windowSeconds: 15 * 60 }

/**
 * Failed sign-ins counted per IP and per email by rate-limiter-flexible: in memory, or in Redis (`REDIS_URL`) so
 * that every node counts together, with each node's memory as the fallback while Redis is away.
 */
export function createSignInThrottle(options: { redisUrl?: string } = {}): SignInThrottle {
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    : undefined
  redis?.on('error', () => {}) // the rate limiter's warning already reports an unreachable Redis
  const limiter = (name: string, points: number): RateLimiterAbstract => {
    const base = { points, duration: signInLimits.windowSeconds, keyPrefix: `keyward:signin:${name}` }
    const memory = new RateLimiterMemory(base)
    return redis ? new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter: memory }) : memory
  }
  const byIp = limiter('ip', signInLimits.perIp)
  const byEmail = limiter('email', signInLimits.perEmail)
  const normal = (email: string) => email.trim().toLowerCase()

  const wait = async (rl: RateLimiterAbstract, key: string, points: number) => {
    const res = await rl.get(key).catch(() => null)
    return res instanceof RateLimiterRes && res.consumedPoints >= points
      ? Math.ceil(res.msBeforeNext / 1000)
      : 0
  }
  return {
    async waitSeconds(ip, email) {
      const [a, b] = await Promise.all([
        wait(byIp, ip, signInLimits.perIp),
        wait(byEmail, normal(email), signInLimits.perEmail),
      ])
      return Math.max(a, b)
    },
    async recordFailure(ip, email) {
      // consume() rejects once the budget is spent; that rejection is the count we wanted, not an error.
      await Promise.all([byIp.consume(ip).catch(() => {}), byEmail.consume(normal(email)).catch(() => {})])
    },
    async recordSuccess(email) {
      await byEmail.delete(normal(email)).catch(() => {})
    },
    async close() {
      redis?.disconnect()
    },
  }
}
