import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiWorld, bearer, requestFor, routesUnderTest } from './support/api.ts'
import { type DashboardClient, signedIn } from './support/dashboard.ts'
import { connectMcp, mcpUrl, rawMcp, toolCall } from './support/mcp.ts'

type World = Awaited<ReturnType<typeof apiWorld>>
const hour = 3_600_000
const listWebhooks = routesUnderTest.find((r) => r.operationId === 'listWebhooks')
const listTests = routesUnderTest.find((r) => r.scope === 'tests.read')
if (!listWebhooks || !listTests) throw new Error('routes missing')

let world: World
let owner: DashboardClient
let url: string
beforeAll(async () => {
  world = await apiWorld()
  owner = await signedIn(world.app, world.keyward, world.owners.a.userId)
  url = await mcpUrl(world.app)
})
afterAll(() => world.close())

const activityOf = async (keyId: string) => {
  await world.keyward.activity.flush()
  return world.keyward.database.db
    .selectFrom('activity')
    .select(['method', 'status', 'reason'])
    .where('key_id', '=', keyId)
    .orderBy('at')
    .orderBy('id')
    .execute()
}
const rest = (key: string, route = listWebhooks) =>
  world.app.inject(requestFor(route, world.project.id, bearer(key)))

async function createAndRoll(grace: '0' | '1h') {
  const created = await owner.request('POST', `/accounts/${world.account.id}/keys`, {
    projectId: world.project.id,
    name: 'Rolled',
    scopes: ['webhooks.read'],
  })
  expect(created.statusCode).toBe(201)
  const { key, rawKey: previous } = created.json()
  const rolled = await owner.request('POST', `/keys/${key.id}/rotate`, { grace })
  expect(rolled.statusCode).toBe(200)
  expect(rolled.headers['cache-control']).toBe('no-store')
  return {
    id: key.id as string,
    previous: previous as string,
    current: rolled.json().rawKey as string,
    rolled,
  }
}

describe('rolling a key from the dashboard API, then using its secrets over REST and MCP', () => {
  it('accepts the previous secret during the grace with reason previous_secret, refusals winning', async () => {
    const { id, previous, current, rolled } = await createAndRoll('1h')
    expect(current).toMatch(/^dtk_live_[0-9a-f]{64}$/)
    expect(rolled.json().key).toMatchObject({
      id,
      status: 'active',
      prefix: current.slice(0, 13),
      scopes: ['webhooks.read'],
      rotatedAt: world.clock(),
      previousKeyValidUntil: world.clock() + hour,
      previousSecretLastUsedAt: null,
    })
    expect((await rest(previous)).statusCode).toBe(200)
    expect((await rest(current)).statusCode).toBe(200)
    expect((await rest(previous, listTests)).statusCode).toBe(403)

    const mcp = await connectMcp(url, previous)
    const called = await mcp.callTool({ name: 'devtune_list_webhooks', arguments: {} })
    expect(called.isError).toBeFalsy()
    await mcp.close()

    expect(await activityOf(id)).toEqual([
      { method: 'GET', status: 200, reason: 'previous_secret' },
      { method: 'GET', status: 200, reason: null },
      { method: 'GET', status: 403, reason: 'missing_scope' },
      { method: 'MCP', status: 200, reason: 'previous_secret' },
    ])
    // The drawer and the table say the previous secret is still in use.
    const details = (await owner.request('GET', `/keys/${id}`)).json()
    expect(details.key.previousSecretLastUsedAt).toEqual(expect.any(Number))
    // Every event of this test has the same instant (the test clock stands still): found by action.
    const historyOf = (action: string) => details.history.find((e: { action: string }) => e.action === action)
    expect(historyOf('key.rotated')).toMatchObject({
      details: { graceSeconds: 3600, previousKeyValidUntil: world.clock() + hour },
    })
    const page = (await owner.request('GET', `/accounts/${world.account.id}/keys?pageSize=100`)).json()
    expect(page.data.find((k: { id: string }) => k.id === id).previousSecretLastUsedAt).toEqual(
      details.key.previousSecretLastUsedAt,
    )

    // Once the grace ends, the previous secret gets the generic 401 on both transports; the current one works.
    world.clock.advance(hour)
    const refused = await rest(previous)
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toEqual({
      error: 'unauthorized',
      message: 'Invalid or missing API key',
      status: 401,
    })
    expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
    const refusedMcp = await rawMcp(url, toolCall('devtune_list_webhooks'), bearer(previous))
    expect(refusedMcp.status).toBe(401)
    expect((await rest(current)).statusCode).toBe(200)
    expect((await activityOf(id)).slice(4)).toEqual([
      { method: 'GET', status: 401, reason: 'revoked' },
      { method: 'MCP', status: 401, reason: 'revoked' },
      { method: 'GET', status: 200, reason: null },
    ])
    expect((await owner.request('GET', `/keys/${id}`)).json().key.previousSecretLastUsedAt).toBeNull()
  })

  it('refuses the previous secret at once with grace 0, and both secrets after a revoke', async () => {
    const { id, previous, current } = await createAndRoll('0')
    expect((await rest(previous)).statusCode).toBe(401)
    expect((await rest(current)).statusCode).toBe(200)
    const again = await owner.request('POST', `/keys/${id}/rotate`, { grace: '1h' })
    const newest = again.json().rawKey as string
    expect((await rest(current)).statusCode).toBe(200) // in its grace now
    expect((await owner.request('POST', `/keys/${id}/revoke`)).statusCode).toBe(200)
    expect((await rest(current)).statusCode).toBe(401)
    expect((await rest(newest)).statusCode).toBe(401)
    const refused = await owner.request('POST', `/keys/${id}/rotate`, { grace: '0' })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().message).toBe('A revoked key cannot be rotated')
  })

  it('refuses a grace the dashboard does not offer and bad expiries, changing nothing', async () => {
    const { id } = await createAndRoll('1h')
    const before = (await owner.request('GET', `/keys/${id}`)).json()
    for (const grace of ['2h', '', 0, null]) {
      const response = await owner.request('POST', `/keys/${id}/rotate`, { grace })
      expect(response.statusCode).toBe(400)
      expect(response.json().message).toMatch(/^Invalid request body: grace/)
    }
    for (const expires of ['30m', '367d', 'tomorrow', '2027-02-30']) {
      const response = await owner.request('PATCH', `/keys/${id}/expiry`, { expires })
      expect(response.statusCode).toBe(400)
      expect(response.json().message).toMatch(/^Invalid expiration/)
    }
    expect((await owner.request('GET', `/keys/${id}`)).json()).toEqual(before)
  })

  it('changes an active key expiry from the dashboard and records from and to', async () => {
    const { id } = await createAndRoll('1h')
    const changed = await owner.request('PATCH', `/keys/${id}/expiry`, { expires: '2h' })
    expect(changed.statusCode).toBe(200)
    expect(changed.json()).toMatchObject({ id, expiresAt: world.clock() + 2 * hour })
    const details = (await owner.request('GET', `/keys/${id}`)).json()
    const changedEvent = details.history.find((e: { action: string }) => e.action === 'key.expiry_changed')
    expect(changedEvent).toMatchObject({
      details: { from: null, to: world.clock() + 2 * hour },
    })
  })
})
