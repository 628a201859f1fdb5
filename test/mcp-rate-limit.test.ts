import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { operator } from '../src/core/model.ts'
import { apiWorld, bearer } from './support/api.ts'
import { mcpUrl, rawMcp } from './support/mcp.ts'

type World = Awaited<ReturnType<typeof apiWorld>>

const call = (id: number, name = 'devtune_list_webhooks', args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
})
const batch = (size: number, first = 1) => Array.from({ length: size }, (_, i) => call(first + i))

/** A tool answer that ran; refused ones are JSON-RPC errors. */
const succeeded = (answer: { result?: { isError?: boolean } }) =>
  answer.result !== undefined && !answer.result.isError

/** How calls are packed into HTTP requests: singles, batches of 1–100, or REST calls in between. */
const packing = fc.array(
  fc.oneof(
    fc.constant({ kind: 'single' as const, size: 1 }),
    fc.constant({ kind: 'rest' as const, size: 1 }),
    fc.integer({ min: 1, max: 100 }).map((size) => ({ kind: 'batch' as const, size })),
  ),
  { minLength: 1, maxLength: 12 },
)

describe('MCP calls and the per-key rate limit', () => {
  let world: World
  let url: string
  const plusKey = async () => {
    const project = await world.plusProject()
    const created = await world.keyward.services.keys.create(operator, {
      projectId: project.id,
      name: 'agent',
    })
    return { ...created, projectId: project.id }
  }

  beforeAll(async () => {
    world = await apiWorld()
    url = await mcpUrl(world.app)
  })
  afterAll(() => world.close())

  it('gives a plus key exactly 100 successful calls a minute however they are packed', async () => {
    await fc.assert(
      fc.asyncProperty(packing, async (parts) => {
        const key = await plusKey()
        let successes = 0
        let sent = 0
        // Each packing is sent twice over, so that every run reaches past the budget.
        for (const part of [...parts, ...parts, { kind: 'batch' as const, size: 100 }]) {
          sent += part.size
          if (part.kind === 'rest') {
            const response = await fetch(
              `${url.replace('/api/mcp', '')}/api/v2/projects/${key.projectId}/webhooks`,
              {
                headers: bearer(key.key),
              },
            )
            if (response.status === 200) successes++
            else expect(response.status).toBe(429)
            continue
          }
          const body = part.kind === 'single' ? call(sent) : batch(part.size, sent)
          const answer = await rawMcp(url, body, bearer(key.key))
          if (answer.status === 429) continue
          expect(answer.status).toBe(200)
          const answers = Array.isArray(answer.json) ? answer.json : [answer.json]
          expect(answers).toHaveLength(part.size)
          successes += answers.filter(succeeded).length
        }
        expect(sent).toBeGreaterThan(100)
        expect(successes).toBe(100)
      }),
      { numRuns: 8 },
    )
  })

  it('runs the calls of a batch that fit the budget, and answers each of the rest with the JSON-RPC 429 error', async () => {
    const key = await plusKey()
    for (let i = 0; i < 70; i++) expect((await rawMcp(url, call(i), bearer(key.key))).status).toBe(200)
    const creates = Array.from({ length: 100 }, (_, i) =>
      call(1000 + i, 'devtune_create_webhook', {
        url: `https://hooks.example.com/${i}`,
        events: ['action.created'],
      }),
    )
    const answer = await rawMcp(url, creates, bearer(key.key))
    expect(answer.status).toBe(200)
    expect(answer.headers.get('x-ratelimit-limit')).toBe('100')
    expect(answer.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    const answers = answer.json as { id: number; result?: unknown; error?: unknown }[]
    const ran = answers.filter((a) => a.result !== undefined).map((a) => a.id)
    const refused = answers.filter((a) => a.error !== undefined)
    expect(ran.sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => 1000 + i))
    expect(refused).toHaveLength(70)
    for (const r of refused) {
      expect(r.error).toEqual({
        code: -32000,
        message: 'Rate limit exceeded. Please try again later.',
        data: { status: 429, error: 'rate_limit_exceeded' },
      })
    }
    // Only the calls that ran had an effect, and every call has its row.
    expect(await world.keyward.storage.webhooks.listActive(key.projectId)).toHaveLength(30)
    await world.keyward.activity.flush()
    const rows = await world.keyward.database.db
      .selectFrom('activity')
      .select(['route', 'status', 'rate_limited', 'scope'])
      .where('key_id', '=', key.id)
      .where('route', '=', 'devtune_create_webhook')
      .execute()
    expect(rows.filter((r) => r.status === 200)).toHaveLength(30)
    const limited = rows.filter((r) => r.status === 429)
    expect(limited).toHaveLength(70)
    expect(limited.every((r) => r.rate_limited === 1 && r.scope === 'webhooks.write')).toBe(true)
  })

  it('answers a batch beyond its budget with HTTP 429 and one row per refused call', async () => {
    const key = await plusKey()
    expect((await rawMcp(url, batch(100), bearer(key.key))).status).toBe(200)
    const refused = await rawMcp(url, batch(5), bearer(key.key))
    expect(refused.status).toBe(429)
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    await world.keyward.activity.flush()
    const rows = await world.keyward.database.db
      .selectFrom('activity')
      .select(['status'])
      .where('key_id', '=', key.id)
      .execute()
    expect(rows.filter((r) => r.status === 429)).toHaveLength(5)
  })

  it('refuses a body of more than 100 messages with a JSON-RPC error, before it costs anything', async () => {
    const key = await plusKey()
    const tooMany = await rawMcp(url, batch(101), bearer(key.key))
    expect(tooMany.status).toBe(400)
    expect(tooMany.json).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32600,
        message: 'Invalid Request: a body holds at most 100 messages',
        data: { error: 'bad_request', status: 400 },
      },
    })
    const next = await rawMcp(url, call(1), bearer(key.key))
    expect(next.headers.get('x-ratelimit-remaining')).toBe('99')
  })

  it('charges notifications nothing of their own: a body of them costs one request', async () => {
    const key = await plusKey()
    const notifications = Array.from({ length: 10 }, () => ({
      jsonrpc: '2.0',
      method: 'notifications/initialized',
    }))
    const answer = await rawMcp(url, notifications, bearer(key.key))
    expect(answer.status).toBe(202)
    expect(answer.headers.get('x-ratelimit-remaining')).toBe('99')
  })
})

describe('MCP calls refused before a key is identified', () => {
  it('are one activity row per body, however many calls it holds', async () => {
    const world = await apiWorld()
    try {
      const url = await mcpUrl(world.app)
      const calls = Array.from({ length: 100 }, (_, i) => call(i + 1, `devtune_${'x'.repeat(400)}`))
      const refused = await rawMcp(url, calls, { 'user-agent': 'keyless batch' })
      expect(refused.status).toBe(401)
      await world.keyward.activity.flush()
      const rows = await world.keyward.database.db
        .selectFrom('activity')
        .select(['route', 'key_id', 'reason'])
        .where('user_agent', '=', 'keyless batch')
        .execute()
      expect(rows).toEqual([{ route: `devtune_${'x'.repeat(92)}`, key_id: null, reason: 'missing_key' }])
    } finally {
      await world.close()
    }
  })
})

describe('the method that answers refused calls', () => {
  it('cannot be called by a client to forge rate-limited rows', async () => {
    const world = await apiWorld()
    try {
      const url = await mcpUrl(world.app)
      const key = await world.mint(world.project.id)
      const forged = await rawMcp(
        url,
        {
          jsonrpc: '2.0',
          id: 7,
          method: 'keyward/rate-limited',
          params: { method: 'tools/call', tool: 'devtune_list_webhooks', marker: 'guess' },
        },
        { ...bearer(key), 'user-agent': 'forger' },
      )
      expect(forged.status).toBe(200)
      expect(forged.json).toEqual({
        jsonrpc: '2.0',
        id: 7,
        error: { code: -32601, message: 'Method not found' },
      })
      await world.keyward.activity.flush()
      const rows = await world.keyward.database.db
        .selectFrom('activity')
        .select(['status'])
        .where('user_agent', '=', 'forger')
        .execute()
      expect(rows.filter((r) => r.status === 429)).toEqual([])
    } finally {
      await world.close()
    }
  })
})
