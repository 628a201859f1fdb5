import { isIPv6 } from 'node:net'
import { Redis } from 'ioredis'
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible'
import type { SignInThrottle } from '../core/sign-in-throttle.ts'

const quarterHour = 15 * 60

/**
 * Attempts per 15 minutes. The pair (client, email) is the strict one: it stops guessing at one account without
 * letting a stranger lock its owner out. The per-email budget, five times larger, stops a guess spread over many
 * addresses; the per-client one stops a spray over many emails.
 */
export const signInLimits = {
  perPair: 8,
  perEmail: 40,
  perClient: 30,
  signUpsPerClientPerHour: 10,
  /** An MCP client registers once per server it connects to: generous for people, a wall for a flood of rows. */
  clientRegistrationsPerClientPerHour: 100,
}

/** An IPv6 client is its /64: one host is usually handed a whole /64, and could otherwise rotate through it. */
export function clientKey(ip: string): string {
  if (!isIPv6(ip) || ip.includes('.')) return ip
  const [head = '', tail = ''] = ip.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = ip.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

/**
 * Counted by rate-limiter-flexible: in memory, or in Redis (`REDIS_URL`) so that every node counts together, with
 * each node's memory as the fallback while Redis is away.
 */
export function createSignInThrottle(options: { redisUrl?: string } = {}): SignInThrottle {
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    : undefined
  redis?.on('error', () => {}) // the rate limiter's warning already reports an unreachable Redis
  const limiter = (name: string, points: number, duration = quarterHour): RateLimiterAbstract => {
    const base = { points, duration, keyPrefix: `keyward:signin:${name}` }
    const memory = new RateLimiterMemory(base)
    return redis ? new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter: memory }) : memory
  }
  const byPair = limiter('pair', signInLimits.perPair)
  const byEmail = limiter('email', signInLimits.perEmail)
  const byClient = limiter('client', signInLimits.perClient)
  const signUps = limiter('signup', signInLimits.signUpsPerClientPerHour, 3600)
  const registrations = limiter('oauth-register', signInLimits.clientRegistrationsPerClientPerHour, 3600)
  const normal = (email: string) => email.trim().toLowerCase()

  /** consume() rejects with the limiter's answer once a budget is spent: that is a wait, not an error. */
  const take = (rl: RateLimiterAbstract, key: string): Promise<number> =>
    rl.consume(key).then(
      () => 0,
      (res: unknown) => (res instanceof RateLimiterRes ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0),
    )

  return {
    async attemptSignIn(client, email) {
      const ip = clientKey(client)
      const waits = await Promise.all([
        take(byPair, `${ip}|${normal(email)}`),
        take(byEmail, normal(email)),
        take(byClient, ip),
      ])
      return Math.max(...waits)
    },
    async signedIn(client, email) {
      const ip = clientKey(client)
      await Promise.all([
        byPair.delete(`${ip}|${normal(email)}`),
        byEmail.reward(normal(email), 1),
        byClient.reward(ip, 1),
      ]).catch(() => {})
    },
    attemptSignUp: (client) => take(signUps, clientKey(client)),
    attemptClientRegistration: (client) => take(registrations, clientKey(client)),
    async close() {
      redis?.disconnect()
    },
  }
}
