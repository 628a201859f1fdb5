import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeyFormat } from '../src/core/key-format.ts'
import { appDeps } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { apiWorld, bearer, refusalApplies, requestFor, routesUnderTest } from './support/api.ts'
import { testKeyward } from './support/keyward.ts'

type World = Awaited<ReturnType<typeof apiWorld>>

const unauthorized = { error: 'unauthorized', message: 'Invalid or missing API key', status: 401 }
const forbidden = (message: string) => ({ error: 'forbidden', message, status: 403 })
const otherProject = forbidden('This API key does not have access to this project')
const format = createKeyFormat()

interface Case {
  name: string
  /** Returns the request headers (and optionally a different URL suffix) for this case. */
  headers(world: World, route: (typeof routesUnderTest)[number]): Promise<Record<string, string>>
  /**
   * The project the request addresses; by default the world's paid project. A case whose key belongs to another
   * project addresses that key's own project, so that only the check under test can fail.
   */
  projectId?: (world: World) => string
  /** A valid key of the project is also sent as `api_key` and `access_token` in the query string. */
  keyInQueryString?: boolean
  status: number
  body?: (route: (typeof routesUnderTest)[number]) => unknown
  challenge?: (route: (typeof routesUnderTest)[number]) => string | undefined
  rateHeaders: boolean
  /** The refusal's activity reason, when it applies to some routes only (see `refusalApplies`). */
  only?: 'wrong_project' | 'missing_scope'
}

const typo = (key: string) => key.slice(0, 30) + (key[30] === 'a' ? 'b' : 'a') + key.slice(31)

/** Every way a request can be refused, and how it must be answered; applied to every route of the table. */
const cases: Case[] = [
  {
    name: 'no key',
    headers: async () => ({}),
    status: 401,
    body: () => unauthorized,
    challenge: () => 'Bearer',
    rateHeaders: false,
  },
  {
    name: 'a key in the query string only',
    headers: async () => ({}),
    keyInQueryString: true,
    status: 401,
    body: () => unauthorized,
    challenge: () => 'Bearer',
    rateHeaders: false,
  },
  {
    name: 'a session cookie only',
    headers: async (w) => ({ cookie: `better-auth.session_token=${await w.mint(w.project.id)}` }),
    status: 401,
    body: () => unauthorized,
    challenge: () => 'Bearer',
    rateHeaders: false,
  },
  {
    name: 'another scheme',
    headers: async (w) => ({ authorization: `Basic ${await w.mint(w.project.id)}` }),
    status: 401,
    body: () => unauthorized,
    challenge: () => 'Bearer',
    rateHeaders: false,
  },
  ...(
    [
      ['a malformed key', async () => 'dtk_live_not-a-key'],
      ['a key with a bad checksum', async (w: World) => typo(await w.mint(w.project.id))],
      ['an unknown key', async () => format.generate()],
      ['an expired key', (w: World) => w.expiredKey()],
      ['a revoked key', (w: World) => w.revokedKey()],
      ['a disabled key', (w: World) => w.disabledKey()],
      ['the previous secret of a rolled key, after its grace', (w: World) => w.previousSecretAfterGrace()],
    ] as const
  ).map(
    ([name, key]): Case => ({
      name,
      headers: async (w) => bearer(await key(w)),
      status: 401,
      body: () => unauthorized,
      challenge: () => 'Bearer error="invalid_token"',
      rateHeaders: false,
    }),
  ),
  {
    name: 'a key of another project of the same account',
    only: 'wrong_project',
    headers: async (w) => bearer(await w.mint(w.sibling.id)),
    status: 403,
    body: () => otherProject,
    rateHeaders: true,
  },
  {
    name: 'a key of another account',
    only: 'wrong_project',
    headers: async (w) => bearer(await w.mint(w.foreign.id)),
    status: 403,
    body: () => otherProject,
    rateHeaders: true,
  },
  {
    name: "a key without the route's scope",
    only: 'missing_scope',
    headers: async (w, route) => bearer(await w.withoutScope(route.scope ?? 'webhooks.read')),
    status: 403,
    body: (route) => forbidden(`This API key lacks the required scope: ${route.scope}`),
    challenge: (route) => `Bearer error="insufficient_scope", scope="${route.scope}"`,
    rateHeaders: true,
  },
  {
    // Refused before project and scope, and shown no budget: the caller may not be the key's owner.
    name: 'a key used from outside its IP allowlist',
    headers: async (w) => bearer(await w.ipFencedKey()),
    status: 403,
    body: () => forbidden('This API key cannot be used from this IP address'),
    rateHeaders: false,
  },
  {
    name: 'a key of a free plan',
    headers: async (w) => bearer(await w.mint(w.freeProject.id)),
    projectId: (w) => w.freeProject.id,
    status: 403,
    body: () => forbidden('API access requires a Plus plan or higher'),
    rateHeaders: false,
  },
]

let world: World
beforeAll(async () => {
  world = await apiWorld()
})
afterAll(() => world.close())

describe.each(routesUnderTest.map((route) => ({ route, name: `${route.method} ${route.path}` })))(
  '$name',
  ({ route }) => {
    it.each(cases.filter((c) => c.only === undefined || refusalApplies(c.only, route)))(
      'refuses $name',
      async (c) => {
        const headers = await c.headers(world, route)
        const request = requestFor(route, c.projectId?.(world) ?? world.project.id, headers)
        if (c.keyInQueryString) {
          const key = await world.mint(world.project.id)
          request.url = `${request.url}?api_key=${key}&access_token=${key}`
        }
        const response = await world.app.inject(request)
        expect(response.statusCode).toBe(c.status)
        expect(response.json()).toEqual(c.body?.(route))
        expect(response.headers['www-authenticate']).toBe(c.challenge?.(route))
        expect(response.headers['x-ratelimit-limit'] !== undefined).toBe(c.rateHeaders)
        if (c.rateHeaders) expect(response.headers['x-ratelimit-limit']).toBe('500')
        // A browser script can read every refusal, too.
        expect(response.headers['access-control-allow-origin']).toBe('*')
      },
    )

    it.each([
      ['a key holding only that scope', 'Bearer'],
      ['a lower-case bearer scheme', 'bearer'],
      ['an upper-case BEARER scheme', 'BEARER'],
    ])('lets through %s', async (_name, scheme) => {
      // A route that needs no scope lets through a key holding any single one.
      const key = await world.mint(world.project.id, { scopes: [route.scope ?? 'tests.read'] })
      const response = await world.app.inject(
        requestFor(route, world.project.id, { authorization: `${scheme} ${key}` }),
      )
      // Past the pipeline: the handler or input validation answers, never authentication or authorization.
      expect([200, 201, 400, 404]).toContain(response.statusCode)
      expect(response.headers['www-authenticate']).toBeUndefined()
      expect(response.headers['x-ratelimit-limit']).toBe('500')
      expect(Number(response.headers['x-ratelimit-remaining'])).toBe(499)
      if (response.statusCode >= 400) expect(response.json().error).not.toMatch(/unauthorized|forbidden/)
    })
  },
)

describe('outside the route table', () => {
  it('answers liveness and readiness without a key', async () => {
    expect((await world.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' })
    const ready = await world.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready', database: true, redis: null, keyChangeListener: null })
    const broken = await testKeyward()
    const app = await buildApp({ ...appDeps(broken), logLevel: 'silent' })
    await broken.database.close()
    const down = await app.inject({ method: 'GET', url: '/readyz' })
    expect(down.statusCode).toBe(503)
    expect(down.json()).toMatchObject({ status: 'not ready', database: false })
    await app.close()
  })

  it('answers an unknown /api/v2 route with 404 only after authentication', async () => {
    const key = await world.mint(world.project.id)
    const anonymous = await world.app.inject({ method: 'GET', url: '/api/v2/projects/x/nothing-here' })
    expect(anonymous.statusCode).toBe(401)
    const keyed = await world.app.inject({ method: 'GET', url: '/api/v2/nothing-here', headers: bearer(key) })
    expect(keyed.statusCode).toBe(404)
    expect(keyed.json()).toEqual({
      error: 'not_found',
      message: 'The requested resource was not found',
      status: 404,
    })
    expect(keyed.headers['x-ratelimit-remaining']).toBe('499')
  })

  it('allows any origin without credentials, and preflight needs no key', async () => {
    const [route] = routesUnderTest
    if (!route) throw new Error('no routes')
    const preflight = await world.app.inject({
      method: 'OPTIONS',
      url: requestFor(route, world.project.id).url,
      headers: {
        origin: 'https://bi.example.com',
        'access-control-request-method': route.method,
        'access-control-request-headers': 'authorization',
      },
    })
    expect(preflight.statusCode).toBe(204)
    expect(preflight.headers['access-control-allow-origin']).toBe('*')
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization')
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined()

    const key = await world.mint(world.project.id)
    const actual = await world.app.inject({
      ...requestFor(route, world.project.id, { ...bearer(key), origin: 'https://bi.example.com' }),
    })
    expect(actual.headers['access-control-allow-origin']).toBe('*')
    expect(String(actual.headers['access-control-expose-headers'])).toContain('x-ratelimit-remaining')
  })
})
