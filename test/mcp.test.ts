import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeyFormat } from '../src/core/key-format.ts'
import { operator } from '../src/core/model.ts'
import { apiWorld, bearer, routesUnderTest } from './support/api.ts'
import { connectMcp, mcpUrl, rawMcp, toolCall } from './support/mcp.ts'

type World = Awaited<ReturnType<typeof apiWorld>>
const toolNames = routesUnderTest.map((r) => r.tool.name)
const unauthorized = { error: 'unauthorized', message: 'Invalid or missing API key', status: 401 }
const format = createKeyFormat()

let world: World
let url: string
const clients: Client[] = []
const connect = async (key: string) => {
  const client = await connectMcp(url, key)
  clients.push(client)
  return client
}

beforeAll(async () => {
  world = await apiWorld()
  url = await mcpUrl(world.app)
})
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {})
  await world.close()
})

describe('MCP over Streamable HTTP with a real client', () => {
  it('lists every tool for a full-access key, each with input and output schemas', async () => {
    const client = await connect(await world.mint(world.project.id))
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual([...toolNames].sort())
    for (const tool of tools) {
      expect(tool.name).toMatch(/^devtune_[a-z_]+$/)
      expect(tool.inputSchema.type).toBe('object')
      expect(tool.outputSchema?.type).toBe('object')
      expect(tool.inputSchema.properties ?? {}).not.toHaveProperty('projectId')
      expect(tool.description).toMatch(/(Requires the [a-z]+\.(read|write) scope|Needs no scope)\.$/)
    }
  })

  it('lists only the tools a narrowed key allows, and refuses the others with forbidden: naming the scope', async () => {
    const client = await connect(await world.mint(world.project.id, { scopes: ['webhooks.read'] }))
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(
      // Tools that need no scope (devtune_whoami) are listed for every key.
      routesUnderTest.filter((r) => r.scope === 'webhooks.read' || r.scope === null).map((r) => r.tool.name),
    )
    const refused = await client.callTool({
      name: 'devtune_create_webhook',
      arguments: { url: 'https://example.com/h', events: ['visibility.changed'] },
    })
    expect(refused.isError).toBe(true)
    expect(refused.content).toEqual([
      { type: 'text', text: 'forbidden: This API key lacks the required scope: webhooks.write' },
    ])
    expect(await world.keyward.storage.webhooks.listActive(world.project.id)).toEqual([])
  })

  it('shows a key scoped to visibility.read only the visibility tools, and they answer as REST does', async () => {
    const key = await world.mint(world.project.id, { scopes: ['visibility.read'] })
    const client = await connect(key)
    const names = (await client.listTools()).tools.map((t) => t.name).sort()
    expect(names).toEqual(
      routesUnderTest
        .filter((r) => r.scope === 'visibility.read' || r.scope === null)
        .map((r) => r.tool.name)
        .sort(),
    )
    expect(names).toContain('devtune_get_visibility_summary')
    const viaMcp = await client.callTool({
      name: 'devtune_get_visibility_summary',
      arguments: { windowDays: 90 },
    })
    const viaRest = await world.app.inject({
      method: 'GET',
      url: `/api/v2/projects/${world.project.id}/visibility/summary?windowDays=90`,
      headers: bearer(key),
    })
    expect(viaMcp.structuredContent).toEqual(viaRest.json().data)
  })

  it('records a call refused by the rate limit as a 429 row under the tool name', async () => {
    const project = await world.plusProject()
    const created = await world.keyward.services.keys.create(operator, {
      projectId: project.id,
      name: 'busy agent',
    })
    const statuses = []
    for (let i = 0; i < 101; i++)
      statuses.push((await rawMcp(url, toolCall('devtune_list_webhooks'), bearer(created.key))).status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(100)
    const refused = await rawMcp(url, toolCall('devtune_list_webhooks'), bearer(created.key))
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    await world.keyward.activity.flush()
    const last = await world.keyward.database.db
      .selectFrom('activity')
      .selectAll()
      .where('key_id', '=', created.id)
      .orderBy('at', 'desc')
      // Rows of one millisecond: their ids (digits of one length, see activity-codec.js) follow the write order.
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(last).toMatchObject({
      method: 'MCP',
      route: 'devtune_list_webhooks',
      status: 429,
      error_code: 'rate_limit_exceeded',
      rate_limited: 1,
      scope: 'webhooks.read',
    })
  })

  it('returns the same data as the REST endpoint, as text and as structuredContent', async () => {
    const key = await world.mint(world.project.id)
    const client = await connect(key)
    const created = await client.callTool({
      name: 'devtune_create_webhook',
      arguments: { url: 'https://hooks.example.com/mcp', events: ['action.created'] },
    })
    expect(created.isError).toBeFalsy()
    const webhook = created.structuredContent as { id: string; secret: string }
    expect(webhook.secret).toMatch(/^[0-9a-f]{64}$/)

    const listed = await client.callTool({ name: 'devtune_list_webhooks', arguments: {} })
    const rest = await world.app.inject({
      method: 'GET',
      url: `/api/v2/projects/${world.project.id}/webhooks`,
      headers: bearer(key),
    })
    expect(listed.structuredContent).toEqual(rest.json().data)
    expect(listed.content).toEqual([{ type: 'text', text: JSON.stringify(rest.json().data) }])

    const invalid = await client.callTool({
      name: 'devtune_delete_webhook',
      arguments: { webhookId: 'nope' },
    })
    expect(invalid).toMatchObject({
      isError: true,
      content: [{ type: 'text', text: 'bad_request: Invalid arguments: webhookId' }],
    })
    const sneaky = await client.callTool({
      name: 'devtune_list_webhooks',
      arguments: { projectId: world.sibling.id },
    })
    expect(sneaky).toMatchObject({
      isError: true,
      content: [{ text: 'bad_request: Invalid arguments: projectId' }],
    })
    const deleted = await client.callTool({
      name: 'devtune_delete_webhook',
      arguments: { webhookId: webhook.id },
    })
    expect(deleted.structuredContent).toEqual({ deleted: true })
  })

  it('refuses a key revoked mid-session on its next request', async () => {
    const created = await world.keyward.services.keys.create(operator, {
      projectId: world.project.id,
      name: 'agent',
    })
    const client = await connect(created.key)
    expect((await client.listTools()).tools.length).toBe(toolNames.length)
    await world.keyward.services.keys.revoke(operator, { keyId: created.id })
    await expect(client.listTools()).rejects.toThrow(/401/)
  })

  it('refuses expired keys and free-plan keys at connection', async () => {
    await expect(connectMcp(url, await world.expiredKey())).rejects.toThrow(/401/)
    await expect(connectMcp(url, await world.mint(world.freeProject.id))).rejects.toThrow(/403/)
  })

  it('refuses browser origins that are not allowed, and answers GET only with a key', async () => {
    const key = await world.mint(world.project.id)
    const fromPage = await rawMcp(url, toolCall('devtune_list_webhooks'), {
      ...bearer(key),
      origin: 'https://evil.example',
    })
    expect(fromPage.status).toBe(403)
    expect(fromPage.json).toEqual({ error: 'forbidden', message: 'Origin not allowed', status: 403 })
    expect((await fetch(url)).status).toBe(401)
    expect((await fetch(url, { headers: { ...bearer(key), accept: 'text/event-stream' } })).status).toBe(405)
  })

  it('records every tool call in Agent Activity as method MCP with the tool as endpoint', async () => {
    const created = await world.keyward.services.keys.create(operator, {
      projectId: world.project.id,
      name: 'audited',
      scopes: ['webhooks.read'],
    })
    const client = await connect(created.key)
    await client.callTool({ name: 'devtune_list_webhooks', arguments: {} })
    await client.callTool({
      name: 'devtune_rotate_webhook_secret',
      arguments: { webhookId: '3f1d2c4b-5a69-4788-9abc-def012345678' },
    })
    await client.callTool({ name: 'devtune_list_webhooks', arguments: { extra: 1 } })
    await world.keyward.activity.flush()
    const rows = await world.keyward.database.db
      .selectFrom('activity')
      .selectAll()
      .where('key_id', '=', created.id)
      .orderBy('at')
      .execute()
    // A refused call's row names its code, as a refused REST request's does.
    expect(rows.map((r) => [r.method, r.route, r.status, r.error_code, r.scope, r.path])).toEqual([
      ['MCP', 'devtune_list_webhooks', 200, null, 'webhooks.read', '/api/mcp'],
      ['MCP', 'devtune_rotate_webhook_secret', 403, 'forbidden', 'webhooks.write', '/api/mcp'],
      ['MCP', 'devtune_list_webhooks', 400, 'bad_request', 'webhooks.read', '/api/mcp'],
    ])
  })
})

/** The REST matrix's cases, for every tool: generated from the route table, so a new tool is covered too. */
describe.each(toolNames.map((name) => ({ name })))('tool $name', ({ name }) => {
  const route = routesUnderTest.find((r) => r.tool.name === name)
  const badKeys: Array<[string, (w: World) => Promise<Record<string, string>>, string]> = [
    ['no key', async () => ({}), 'Bearer'],
    ['a malformed key', async () => bearer('dtk_live_123'), 'Bearer error="invalid_token"'],
    [
      'a bad checksum',
      async (w) => {
        const key = await w.mint(w.project.id)
        return bearer(key.slice(0, 20) + (key[20] === 'a' ? 'b' : 'a') + key.slice(21))
      },
      'Bearer error="invalid_token"',
    ],
    ['an unknown key', async () => bearer(format.generate()), 'Bearer error="invalid_token"'],
    ['an expired key', async (w) => bearer(await w.expiredKey()), 'Bearer error="invalid_token"'],
    ['a revoked key', async (w) => bearer(await w.revokedKey()), 'Bearer error="invalid_token"'],
    ['a disabled key', async (w) => bearer(await w.disabledKey()), 'Bearer error="invalid_token"'],
    [
      'the previous secret of a rolled key, after its grace',
      async (w) => bearer(await w.previousSecretAfterGrace()),
      'Bearer error="invalid_token"',
    ],
  ]
  it.each(badKeys)('refuses %s with the generic 401', async (_case, headers, challenge) => {
    const response = await rawMcp(url, toolCall(name), await headers(world))
    expect(response.status).toBe(401)
    expect(response.json).toEqual(unauthorized)
    expect(response.headers.get('www-authenticate')).toBe(challenge)
  })

  it('refuses a key used from outside its IP allowlist with 403, before the session', async () => {
    const response = await rawMcp(url, toolCall(name), bearer(await world.ipFencedKey()))
    expect(response.status).toBe(403)
    expect(response.json).toEqual({
      error: 'forbidden',
      message: 'This API key cannot be used from this IP address',
      status: 403,
    })
    expect(response.headers.get('x-ratelimit-limit')).toBeNull()
  })

  it.skipIf(route?.scope === null)(
    'refuses a key without its scope with forbidden: naming the scope',
    async () => {
      const key = await world.withoutScope(route?.scope ?? 'webhooks.read')
      const response = await rawMcp(url, toolCall(name), bearer(key))
      expect(response.status).toBe(200)
      expect(response.json.result).toEqual({
        isError: true,
        content: [
          { type: 'text', text: `forbidden: This API key lacks the required scope: ${route?.scope}` },
        ],
      })
      // The same challenge as a REST 403, for keys and OAuth tokens alike.
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_scope", scope="${route?.scope}"`,
      )
    },
  )
})
