import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { webhookServices } from '../src/core/services.ts'
import { appDeps } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { apiWorld, bearer, requestFor, routesUnderTest } from './support/api.ts'

type World = Awaited<ReturnType<typeof apiWorld>>
const route = (operationId: string) => {
  const found = routesUnderTest.find((r) => r.operationId === operationId)
  if (!found) throw new Error(`no route ${operationId}`)
  return found
}

let world: World
let key: string
beforeAll(async () => {
  world = await apiWorld()
  key = await world.mint(world.project.id)
})
afterAll(() => world.close())

describe('error answers', () => {
  it('answers an unexpected failure with a bare 500 and logs the detail under the request id', async () => {
    const log = new PassThrough()
    const lines: string[] = []
    log.on('data', (chunk) => lines.push(...String(chunk).trim().split('\n')))
    const failingStorage = {
      ...world.keyward.storage,
      webhooks: {
        ...world.keyward.storage.webhooks,
        listActive: () => Promise.reject(new Error('SQLITE_CORRUPT: secret detail')),
      },
    }
    const deps = appDeps(world.keyward)
    const app = await buildApp({
      ...deps,
      services: {
        ...deps.services,
        webhooks: webhookServices({
          storage: failingStorage,
          clock: world.clock,
          allowInsecureUrls: false,
        }),
      },
      logStream: log,
      logLevel: 'error',
    })
    try {
      const response = await app.inject(requestFor(route('listWebhooks'), world.project.id, bearer(key)))
      expect(response.statusCode).toBe(500)
      expect(response.json()).toEqual({
        error: 'internal_error',
        message: 'An unexpected error occurred',
        status: 500,
      })
      expect(response.body).not.toContain('SQLITE')
      const requestId = response.headers['x-request-id']
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
      const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.reqId === requestId)
      expect(logged?.err?.message).toBe('SQLITE_CORRUPT: secret detail')
    } finally {
      await app.close()
    }
  })

  it.each([
    ['malformed JSON', '{"url": ', 'application/json'],
    ['a body that is not JSON', 'url=https://x', 'text/plain'],
  ])('answers %s with 400 bad_request and creates nothing', async (_name, payload, type) => {
    const create = requestFor(route('createWebhook'), world.project.id, {
      ...bearer(key),
      'content-type': type,
    })
    const response = await world.app.inject({ ...create, payload })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ error: 'bad_request', status: 400 })
    expect(await world.keyward.storage.webhooks.listActive(world.project.id)).toEqual([])
  })

  it.each([
    [
      { url: 'http://hooks.example.com/x', events: ['visibility.changed'] },
      'Invalid request body: url must use https',
    ],
    [
      { url: 'https://127.0.0.1/x', events: ['visibility.changed'] },
      'Invalid request body: url must point to a public host',
    ],
    [
      { url: `https://example.com/${'a'.repeat(2048)}`, events: ['visibility.changed'] },
      'Invalid request body: url (at most 2048)',
    ],
    [{ url: 'https://example.com/x', events: [] }, 'Invalid request body: events (at least 1)'],
    [
      { url: 'https://example.com/x', events: ['nope'] },
      'Invalid request body: events.0 (allowed: search-tracking.completed, visibility.changed, action.created, ' +
        'action.updated, action.recommendation.created, action.recommendation.updated, api_key.created, ' +
        'api_key.rotated, api_key.revoked, api_key.exposed, api_key.expiring, api_key.expired)',
    ],
    [
      { url: 'https://example.com/x', events: ['visibility.changed'], secret: 'mine' },
      'Invalid request body: secret',
    ],
  ])('refuses webhook body %j naming the parameter', async (payload, message) => {
    const response = await world.app.inject({
      ...requestFor(route('createWebhook'), world.project.id, bearer(key)),
      payload,
    })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ error: 'bad_request', message, status: 400 })
    expect(await world.keyward.storage.webhooks.listActive(world.project.id)).toEqual([])
  })
})
