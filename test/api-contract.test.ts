import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiWorld } from './support/api.ts'

/**
 * DevTune's documented contract, as a client written from its docs drives it, over a real socket: cache-busters
 * are ignored, older parameter names still work, bodies the docs call optional may be absent.
 */
type World = Awaited<ReturnType<typeof apiWorld>>
let world: World
let base: string
let key: string
let actionId: string

beforeAll(async () => {
  world = await apiWorld()
  key = await world.mint(world.project.id)
  const address = await world.app.listen({ port: 0, host: '127.0.0.1' })
  base = `${address}/api/v2/projects/${world.project.id}`
  actionId = randomUUID()
  const now = world.clock()
  await world.keyward.storage.actions.insert({
    id: actionId,
    projectId: world.project.id,
    title: 'Compare us with X',
    type: 'content_update',
    status: 'backlog',
    priority: 'high',
    targetUrl: 'https://brand.example/vs-x',
    createdAt: now,
    updatedAt: now,
    completedAt: null,
  })
})
afterAll(() => world.close())

async function call(method: string, path: string, init: { body?: string; type?: string } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(init.type ? { 'content-type': init.type } : {}),
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
  })
  return { status: response.status, body: await response.json() }
}

const badQuery = (message: string) => ({ error: 'bad_request', message, status: 400 })

describe('query parameters', () => {
  it.each([
    '/visibility/summary',
    '/visibility/diff',
    '/visibility/heatmap',
    '/citations/stats',
    '/citations/top-pages',
    '/competitive/position',
    '/actions',
  ])('ignores unknown ones (cache-busters) on %s', async (path) => {
    const answer = await call('GET', `${path}?_=1733475600000&cb=x&windowDays=90`)
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    if (answer.body.data.window) expect(answer.body.data.window.days).toBe(90)
  })

  it.each([
    ['/visibility/summary?windowDays=45', 'Invalid query parameters: windowDays (allowed: 30, 90)'],
    ['/visibility/heatmap?groupBy=platform', 'Invalid query parameters: groupBy (allowed: topic, prompt)'],
    ['/visibility/heatmap?daysBack=365', 'Invalid query parameters: daysBack (at most 90)'],
    ['/citations/top-pages?pageSize=500&_=1', 'Invalid query parameters: pageSize (at most 100)'],
    [
      '/citations/top-domains?classification=mine',
      'Invalid query parameters: classification (allowed: primary, competitor, other)',
    ],
    [
      '/actions?status=open',
      'Invalid query parameters: status (allowed: suggested, backlog, in_progress, done, dismissed)',
    ],
  ])('refuses an invalid value of a known one, naming what is allowed: %s', async (path, message) => {
    const answer = await call('GET', path)
    expect(answer).toEqual({ status: 400, body: badQuery(message) })
  })

  it.each([
    ['daysBack=1', 30],
    ['daysBack=30', 30],
    ['daysBack=31', 90],
    ['daysBack=90', 90],
    ['windowDays=90', 90],
    ['windowDays=30&daysBack=90', 30], // windowDays wins
    ['', 30],
  ])('maps the older heatmap parameter daysBack to windowDays: %s → %i days', async (query, days) => {
    const answer = await call('GET', `/visibility/heatmap?${query}`)
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.data.window.days).toBe(days)
    expect(answer.body.data.groupBy).toBe('topic')
  })

  it('groups the heatmap by prompt, as the older docs name it', async () => {
    const answer = await call('GET', '/visibility/heatmap?groupBy=prompt&daysBack=30')
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.data).toMatchObject({ groupBy: 'prompt', prompts: [] })
  })
})

describe('bodies the docs call optional', () => {
  it('generates a brief with no body and no content type', async () => {
    const answer = await call('POST', `/actions/${actionId}/brief`)
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.data).toMatchObject({
      actionId,
      status: expect.stringMatching(/queued|generating|ready/),
    })
  })

  it('generates a brief with Content-Type: application/json and an empty body', async () => {
    const answer = await call('POST', `/actions/${actionId}/brief`, { type: 'application/json', body: '' })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
  })

  it.each([
    'best_fit',
    'technical_guide',
    'implementation_tutorial',
    'docs_page',
    'api_reference',
    'blog_post',
    'comparison_page',
  ])('accepts briefStyle %s', async (briefStyle) => {
    const answer = await call('POST', `/actions/${actionId}/brief`, {
      type: 'application/json',
      body: JSON.stringify({ briefStyle, allowPurchasedCredit: true }),
    })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
  })

  it('refuses an unknown briefStyle, listing the allowed values', async () => {
    const answer = await call('POST', `/actions/${actionId}/brief`, {
      type: 'application/json',
      body: JSON.stringify({ briefStyle: 'poem' }),
    })
    expect(answer).toEqual({
      status: 400,
      body: badQuery(
        'Invalid request body: briefStyle (allowed: best_fit, technical_guide, implementation_tutorial, ' +
          'docs_page, api_reference, blog_post, comparison_page)',
      ),
    })
  })

  it('rotates and deletes a webhook with Content-Type: application/json and an empty body', async () => {
    const created = await call('POST', '/webhooks', {
      type: 'application/json',
      body: JSON.stringify({ url: 'https://hooks.example.com/in', events: ['visibility.changed'] }),
    })
    expect(created.status).toBe(201)
    const id = created.body.data.id
    const empty = { type: 'application/json', body: '' }
    const rotated = await call('POST', `/webhooks/${id}/rotate-secret`, empty)
    expect(rotated.status).toBe(200)
    expect(rotated.body.data.secret).not.toBe(created.body.data.secret)
    expect(await call('DELETE', `/webhooks/${id}`, empty)).toEqual({ status: 200, body: { deleted: true } })
    expect(await world.keyward.storage.webhooks.listActive(world.project.id)).toEqual([])
  })

  it('still refuses an empty body where the operation needs one, and creates nothing', async () => {
    const answer = await call('POST', '/webhooks', { type: 'application/json', body: '' })
    expect(answer).toEqual({ status: 400, body: badQuery('Invalid request body: url, events') })
    expect(await world.keyward.storage.webhooks.listActive(world.project.id)).toEqual([])
  })
})
