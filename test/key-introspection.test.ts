import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { operator } from '../src/core/model.ts'
import { scopeCatalogue } from '../src/core/scopes.ts'
import { apiWorld, bearer } from './support/api.ts'
import { connectMcp, mcpUrl } from './support/mcp.ts'

/** `GET /api/v2/key` and `devtune_whoami`: any valid key learns what it may do, before it fails. */
type World = Awaited<ReturnType<typeof apiWorld>>
let world: World
let origin: string
const clients: Client[] = []

beforeAll(async () => {
  world = await apiWorld()
  origin = (await mcpUrl(world.app)).replace('/api/mcp', '')
})
afterAll(async () => {
  for (const client of clients) await client.close()
  await world.close()
})

const isoTime = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

async function whoami(key: string) {
  const response = await fetch(`${origin}/api/v2/key`, { headers: bearer(key) })
  return { response, body: await response.json() }
}

describe('GET /api/v2/key', () => {
  it('answers a key holding one unrelated scope with its own description and budget', async () => {
    const created = await world.keyward.services.keys.create(operator, {
      projectId: world.project.id,
      name: 'BI dashboard',
      scopes: ['tests.read'],
      expires: '30d',
    })
    const { response, body } = await whoami(created.key)
    expect(response.status).toBe(200)
    const reset = Number(response.headers.get('x-ratelimit-reset'))
    expect(body).toEqual({
      data: {
        id: created.id,
        name: 'BI dashboard',
        prefix: created.key.slice(0, created.prefix.length),
        projectId: world.project.id,
        scopes: ['tests.read'],
        expiresAt: isoTime,
        createdAt: isoTime,
        rateLimit: { limit: 500, remaining: 499, resetAt: new Date(reset * 1000).toISOString() },
      },
      meta: { timestamp: isoTime, projectId: world.project.id },
    })
    expect(response.headers.get('x-ratelimit-remaining')).toBe('499')
    expect(Date.parse(body.data.expiresAt) - Date.parse(body.data.createdAt)).toBe(30 * 86_400_000)

    // A keyed request like any other: it is charged, and Agent Activity shows it.
    const again = await whoami(created.key)
    expect(again.body.data.rateLimit.remaining).toBe(498)
    expect(again.response.headers.get('x-ratelimit-remaining')).toBe('498')
    await world.keyward.activity.flush()
    const rows = await world.keyward.database.db
      .selectFrom('activity')
      .select(['route', 'status', 'scope', 'project_id'])
      .where('key_id', '=', created.id)
      .execute()
    expect(rows).toEqual([
      { route: '/api/v2/key', status: 200, scope: null, project_id: world.project.id },
      { route: '/api/v2/key', status: 200, scope: null, project_id: world.project.id },
    ])
  })

  it('spells out full access as every scope, and never-expiring as null', async () => {
    const key = await world.mint(world.sibling.id)
    const { response, body } = await whoami(key)
    expect(response.status).toBe(200)
    expect(body.data).toMatchObject({
      projectId: world.sibling.id,
      scopes: [...scopeCatalogue],
      expiresAt: null,
    })
    expect(body.meta.projectId).toBe(world.sibling.id)
  })

  it('refuses what is not a valid key, with the generic 401', async () => {
    for (const key of ['dtk_live_nope', await world.revokedKey(), await world.expiredKey()]) {
      const { response, body } = await whoami(key)
      expect(response.status).toBe(401)
      expect(body).toEqual({ error: 'unauthorized', message: 'Invalid or missing API key', status: 401 })
    }
  })

  it('refuses a key of a plan without API access, as every endpoint does', async () => {
    const { response, body } = await whoami(await world.mint(world.freeProject.id))
    expect(response.status).toBe(403)
    expect(body.message).toBe('API access requires a Plus plan or higher')
  })
})

describe('devtune_whoami', () => {
  it('is listed for any key, read-only, and answers what GET /api/v2/key answers', async () => {
    const created = await world.keyward.services.keys.create(operator, {
      projectId: world.project.id,
      name: 'agent',
      scopes: ['webhooks.read'],
    })
    const client = await connectMcp(`${origin}/api/mcp`, created.key)
    clients.push(client)
    const { tools } = await client.listTools()
    const tool = tools.find((t) => t.name === 'devtune_whoami')
    expect(tool).toMatchObject({
      title: expect.any(String),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    })
    const result = await client.callTool({ name: 'devtune_whoami', arguments: {} })
    expect(result.isError).toBeFalsy()
    const rest = await whoami(created.key)
    const { rateLimit: mcpBudget, ...fromMcp } = result.structuredContent as Record<string, unknown>
    const { rateLimit: restBudget, ...fromRest } = rest.body.data
    expect(fromMcp).toEqual(fromRest)
    expect(fromMcp).toMatchObject({ id: created.id, scopes: ['webhooks.read'] })
    // Each call is charged: the REST call came after the MCP ones (initialize, list, call).
    expect((mcpBudget as { remaining: number }).remaining).toBe(restBudget.remaining + 1)
  })
})
