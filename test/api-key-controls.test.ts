import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KeyControlsInput } from '../src/core/key-controls.ts'
import { operator } from '../src/core/model.ts'
import { appDeps } from '../src/main.ts'
import { createRateLimiter } from '../src/storage/rate-limiter.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { apiWorld, bearer } from './support/api.ts'
import { mcpUrl, rawMcp, toolCall } from './support/mcp.ts'

type World = Awaited<ReturnType<typeof apiWorld>>

const unauthorized = { error: 'unauthorized', message: 'Invalid or missing API key', status: 401 }
const ipRefusal = {
  error: 'forbidden',
  message: 'This API key cannot be used from this IP address',
  status: 403,
}
const redisUrl = process.env.TEST_REDIS_URL

let world: World
/** The same Keyward behind a proxy it trusts (KEYWARD_TRUST_PROXY=127.0.0.1): request.ip is X-Forwarded-For's. */
let proxied: FastifyInstance
beforeAll(async () => {
  world = await apiWorld()
  proxied = await buildApp({ ...appDeps(world.keyward), logLevel: 'silent', trustProxy: '127.0.0.1' })
})
afterAll(async () => {
  await proxied.close()
  await world.close()
})

const keyWith = async (controls: KeyControlsInput) => {
  const created = await world.keyward.services.keys.create(operator, {
    projectId: world.project.id,
    name: 'controlled',
    controls,
  })
  return created
}

/** A keyed GET as a client at `remoteAddress` (the TCP peer) sends it. */
const get = (
  app: FastifyInstance,
  key: string,
  remoteAddress: string,
  headers: Record<string, string> = {},
) =>
  app.inject({
    method: 'GET',
    url: `/api/v2/projects/${world.project.id}/webhooks`,
    remoteAddress,
    headers: { ...bearer(key), ...headers },
  })

/** The activity row a response wrote, by its request id. */
async function rowOf(requestId: string) {
  await world.keyward.activity.flush()
  return world.keyward.database.db
    .selectFrom('activity')
    .select(['reason', 'status', 'key_id', 'client_ip'])
    .where('request_id', '=', requestId)
    .executeTakeFirstOrThrow()
}

describe('the IP allowlist', () => {
  it.each([
    ['an IPv4 client inside 10.0.0.0/8', '10.20.30.40', 200],
    ['an IPv4 client outside', '11.0.0.1', 403],
    ['an IPv6 client inside 2001:db8::/32', '2001:db8:1::7', 200],
    ['an IPv6 client outside', '2001:db9::1', 403],
    ['an IPv4-mapped IPv6 client inside the IPv4 range', '::ffff:10.1.2.3', 200],
    ['an IPv4-mapped IPv6 client outside', '::ffff:192.0.2.1', 403],
  ])('answers %s with %i', async (_name, remoteAddress, status) => {
    const key = await keyWith({ allowedIps: ['10.0.0.0/8', '2001:db8::/32'] })
    const response = await get(world.app, key.key, remoteAddress)
    expect(response.statusCode).toBe(status)
    const row = await rowOf(response.headers['x-request-id'] as string)
    expect(row).toMatchObject({ key_id: key.id, status, reason: status === 403 ? 'ip_not_allowed' : null })
    if (status === 403) {
      expect(response.json()).toEqual(ipRefusal)
      // Not a scope problem, and the caller (perhaps not the key's owner) is not shown the key's budget.
      expect(response.headers['www-authenticate']).toBeUndefined()
      expect(response.headers['x-ratelimit-limit']).toBeUndefined()
      expect((await world.keyward.storage.keys.findById(key.id))?.lastUsedAt).toBeNull()
    }
  })

  it('lets any address use a key with an empty list', async () => {
    const key = await keyWith({ allowedIps: [] })
    for (const address of ['203.0.113.9', '2001:db8::1', '127.0.0.1'])
      expect((await get(world.app, key.key, address)).statusCode).toBe(200)
  })

  it('uses X-Forwarded-For behind a trusted proxy, and ignores it from an untrusted peer', async () => {
    const key = await keyWith({ allowedIps: ['198.51.100.0/24'] })
    // Through the trusted proxy (peer 127.0.0.1): the forwarded client decides.
    const inside = await get(proxied, key.key, '127.0.0.1', { 'x-forwarded-for': '198.51.100.20' })
    expect(inside.statusCode).toBe(200)
    const outside = await get(proxied, key.key, '127.0.0.1', { 'x-forwarded-for': '203.0.113.5' })
    expect(outside.statusCode).toBe(403)
    expect((await rowOf(outside.headers['x-request-id'] as string)).client_ip).toBe('203.0.113.5')
    // A spoofed header from a peer that is not the trusted proxy counts for nothing: the peer is the client.
    const spoofed = await get(proxied, key.key, '203.0.113.5', { 'x-forwarded-for': '198.51.100.20' })
    expect(spoofed.statusCode).toBe(403)
    expect((await rowOf(spoofed.headers['x-request-id'] as string)).reason).toBe('ip_not_allowed')
    // Without KEYWARD_TRUST_PROXY the header is never read, whoever sends it.
    const untrusting = await get(world.app, key.key, '127.0.0.1', { 'x-forwarded-for': '198.51.100.20' })
    expect(untrusting.statusCode).toBe(403)
  })

  it('takes effect on the next request after a change (the cached record is evicted)', async () => {
    const key = await keyWith({})
    expect((await get(world.app, key.key, '192.0.2.10')).statusCode).toBe(200)
    await world.keyward.services.keys.updateControls(operator, { keyId: key.id, allowedIps: ['10.0.0.0/8'] })
    expect((await get(world.app, key.key, '192.0.2.10')).statusCode).toBe(403)
    await world.keyward.services.keys.updateControls(operator, { keyId: key.id, allowedIps: [] })
    expect((await get(world.app, key.key, '192.0.2.10')).statusCode).toBe(200)
  })
})

describe('disable and enable', () => {
  it('answers a disabled key with the generic 401 (reason disabled), and serves it again once enabled', async () => {
    const key = await keyWith({})
    expect((await get(world.app, key.key, '127.0.0.1')).statusCode).toBe(200)
    await world.keyward.services.keys.setDisabled(operator, { keyId: key.id, disabled: true })
    const refused = await get(world.app, key.key, '127.0.0.1')
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toEqual(unauthorized)
    expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
    expect(await rowOf(refused.headers['x-request-id'] as string)).toMatchObject({
      reason: 'disabled',
      key_id: key.id,
    })
    await world.keyward.services.keys.setDisabled(operator, { keyId: key.id, disabled: false })
    expect((await get(world.app, key.key, '127.0.0.1')).statusCode).toBe(200)
  })
})

describe('the per-key rate limit', () => {
  it("lowers the plan's limit, shows it in X-RateLimit-Limit and enforces it", async () => {
    const key = await keyWith({ rateLimitPerMinute: 3 })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const response = await get(world.app, key.key, '127.0.0.1')
      expect(response.headers['x-ratelimit-limit']).toBe('3')
      statuses.push(response.statusCode)
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    // Introspection reports the key's own limit too.
    const other = await keyWith({ rateLimitPerMinute: 7 })
    const own = await world.app.inject({ method: 'GET', url: '/api/v2/key', headers: bearer(other.key) })
    expect(own.statusCode).toBe(200)
    expect(own.json().data.rateLimit).toMatchObject({ limit: 7, remaining: 6 })
  })

  it('goes back to the plan limit when cleared', async () => {
    const key = await keyWith({ rateLimitPerMinute: 50 })
    expect((await get(world.app, key.key, '127.0.0.1')).headers['x-ratelimit-limit']).toBe('50')
    await world.keyward.services.keys.updateControls(operator, { keyId: key.id, rateLimitPerMinute: null })
    expect((await get(world.app, key.key, '127.0.0.1')).headers['x-ratelimit-limit']).toBe('500')
  })

  it('applies to MCP too', async () => {
    const url = await mcpUrl(world.app)
    const key = await keyWith({ rateLimitPerMinute: 2 })
    const answers = []
    for (let i = 0; i < 3; i++)
      answers.push(await rawMcp(url, toolCall('devtune_list_webhooks'), bearer(key.key)))
    expect(answers.map((a) => a.headers.get('x-ratelimit-limit'))).toEqual(['2', '2', '2'])
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429])
  })

  it.skipIf(!redisUrl)('is shared by two nodes through Redis', async () => {
    const nodes = await Promise.all(
      [0, 1].map(async () => {
        const rateLimiter = createRateLimiter({ redisUrl })
        // Until Redis answers, each node counts in memory (the insurance limiter): wait for the shared counter.
        await expect.poll(() => rateLimiter.ping(), { timeout: 30_000 }).toBe(true)
        const app = await buildApp({ ...appDeps(world.keyward), rateLimiter, logLevel: 'silent' })
        return { app, rateLimiter }
      }),
    )
    try {
      // A fresh key id: a fresh counter in Redis.
      const key = await keyWith({ rateLimitPerMinute: 5, description: randomUUID() })
      const statuses: number[] = []
      for (let i = 0; i < 8; i++)
        statuses.push(
          (await get((nodes[i % 2] as { app: FastifyInstance }).app, key.key, '127.0.0.1')).statusCode,
        )
      expect(statuses.filter((s) => s === 200)).toHaveLength(5)
      expect(statuses.slice(5)).toEqual([429, 429, 429])
    } finally {
      for (const node of nodes) {
        await node.app.close()
        await node.rateLimiter.close()
      }
    }
  })
})
