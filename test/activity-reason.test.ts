import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ActivityReason } from '../src/core/activity-reason.ts'
import { createKeyFormat } from '../src/core/key-format.ts'
import { operator } from '../src/core/model.ts'
import { apiWorld, bearer, refusalApplies, requestFor, routesUnderTest } from './support/api.ts'
import { budgetLimiter } from './support/budget-limiter.ts'
import { type DashboardClient, signedIn } from './support/dashboard.ts'
import { mcpUrl, rawMcp } from './support/mcp.ts'

type World = Awaited<ReturnType<typeof apiWorld>>
type Owner = 'a' | 'b' | 'free'

const format = createKeyFormat()
const typo = (key: string) => key.slice(0, 30) + (key[30] === 'a' ? 'b' : 'a') + key.slice(31)

interface Case {
  name: string
  /** The Authorization header's key, none when undefined. */
  key(world: World, scope: string | null): Promise<string | undefined>
  reason: ActivityReason
  /** Whose account the row belongs to; null: no key was identified, so no account, and only the operator sees it. */
  owner: Owner | null
  /** The project the request addresses, when not `project`. */
  addresses?: 'freeProject'
  /** Whether the row names the project the request asked for (`project`). */
  asked?: boolean
}

/** The security matrix's refusals (test/api-security.test.ts), each with the reason its row must carry. */
const cases: Case[] = [
  { name: 'no key', key: async () => undefined, reason: 'missing_key', owner: null },
  { name: 'a malformed key', key: async () => 'dtk_live_not-a-key', reason: 'malformed', owner: null },
  {
    name: 'a bad checksum',
    key: async (w) => typo(await w.mint(w.project.id)),
    reason: 'bad_checksum',
    owner: null,
  },
  { name: 'an unknown key', key: async () => format.generate(), reason: 'unknown_key', owner: null },
  { name: 'an expired key', key: (w) => w.expiredKey(), reason: 'expired', owner: 'a' },
  { name: 'a revoked key', key: (w) => w.revokedKey(), reason: 'revoked', owner: 'a' },
  { name: 'a disabled key', key: (w) => w.disabledKey(), reason: 'disabled', owner: 'a' },
  {
    name: 'a key from outside its IP allowlist',
    key: (w) => w.ipFencedKey(),
    reason: 'ip_not_allowed',
    owner: 'a',
  },
  {
    name: 'the previous secret after its grace',
    key: (w) => w.previousSecretAfterGrace(),
    reason: 'revoked',
    owner: 'a',
  },
  {
    name: 'a key of another project',
    key: (w) => w.mint(w.sibling.id),
    reason: 'wrong_project',
    owner: 'a',
    asked: true,
  },
  {
    name: 'a key of another account',
    key: (w) => w.mint(w.foreign.id),
    reason: 'wrong_project',
    owner: 'b',
    asked: true,
  },
  {
    name: "a key without the route's scope",
    key: (w, scope) => w.withoutScope(scope as never),
    reason: 'missing_scope',
    owner: 'a',
  },
  {
    name: 'a key of a free plan',
    key: (w) => w.mint(w.freeProject.id),
    reason: 'plan',
    owner: 'free',
    addresses: 'freeProject',
  },
  {
    name: 'a key past its rate limit',
    async key(w) {
      const created = await w.keyward.services.keys.create(operator, {
        projectId: w.project.id,
        name: 'busy',
      })
      budget.setBudget(created.id, 0)
      return created.key
    },
    reason: 'rate_limited',
    owner: 'a',
  },
]

const budget = budgetLimiter()
let world: World
let owners: Record<Owner, DashboardClient>
let url: string
beforeAll(async () => {
  world = await apiWorld({ rateLimiter: budget.limiter })
  owners = {
    a: await signedIn(world.app, world.keyward, world.owners.a.userId),
    b: await signedIn(world.app, world.keyward, world.owners.b.userId),
    free: await signedIn(world.app, world.keyward, world.owners.free.userId),
  }
  url = await mcpUrl(world.app)
})
afterAll(() => world.close())

const accountOf = (owner: Owner) =>
  ({ a: world.account.id, b: world.foreign.accountId, free: world.freeProject.accountId })[owner]

/** The row of a response, by the request id it carried (and the tool, for MCP), as its account's owner sees it. */
async function rowOf(requestId: string | null, route: string, c: Case) {
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
  await world.keyward.activity.flush()
  const stored = await world.keyward.database.db
    .selectFrom('activity')
    .select(['id', 'account_id'])
    .where('request_id', '=', requestId)
    .where('route', '=', route)
    .executeTakeFirstOrThrow()
  // Nobody else sees it: the account A's owner opens it only when it is A's.
  const elsewhere = await owners.a.request('GET', `/accounts/${world.account.id}/activity/${stored.id}`)
  if (c.owner !== 'a') expect(elsewhere.statusCode).toBe(404)
  if (c.owner === null) {
    expect(stored.account_id).toBeNull()
    const listed = await world.keyward.queries.operatorActivity(operator, {
      unidentified: true,
      reason: c.reason,
      limit: 1000,
    })
    return listed.rows.find((row) => row.id === stored.id)
  }
  const detail = await owners[c.owner].request('GET', `/accounts/${accountOf(c.owner)}/activity/${stored.id}`)
  expect(detail.statusCode).toBe(200)
  return detail.json()
}

describe.each(routesUnderTest.map((route) => ({ route, name: `${route.method} ${route.path}` })))(
  'REST $name',
  ({ route }) => {
    it.each(cases.filter((c) => refusalApplies(c.reason, route)))('records $name as $reason', async (c) => {
      const key = await c.key(world, route.scope)
      const projectId = c.addresses ? world[c.addresses].id : world.project.id
      const response = await world.app.inject(requestFor(route, projectId, key ? bearer(key) : {}))
      expect(response.statusCode).toBeGreaterThanOrEqual(401)
      const requestId = response.headers['x-request-id'] as string
      const row = await rowOf(requestId, `/api/v2${route.path}`, c)
      expect(row).toMatchObject({
        reason: c.reason,
        requestedProjectId: c.asked ? world.project.id : null,
        requestId,
        status: response.statusCode,
      })
    })
  },
)

/** MCP has no project in its URL (the key decides), so there is no wrong_project to record. */
const mcpCases = cases.filter((c) => c.reason !== 'wrong_project')

describe.each(routesUnderTest.map((route) => ({ tool: route.tool.name, scope: route.scope, route })))(
  'MCP $tool',
  ({ tool, scope, route }) => {
    it.each(mcpCases.filter((c) => refusalApplies(c.reason, route)))(
      'records $name as $reason',
      async (c) => {
        const key = await c.key(world, scope)
        const rpcId = `call-${c.reason}`
        const body = {
          jsonrpc: '2.0',
          id: rpcId,
          method: 'tools/call',
          params: { name: tool, arguments: {} },
        }
        const answer = await rawMcp(url, body, key ? bearer(key) : {})
        const requestId = answer.headers.get('x-request-id')
        const row = await rowOf(requestId, tool, c)
        expect(row).toMatchObject({ reason: c.reason, requestedProjectId: null, requestId, rpcId })
      },
    )
  },
)

describe('MCP calls of a batch beyond the budget', () => {
  it('records each refused call as rate_limited with its own JSON-RPC id', async () => {
    const created = await world.keyward.services.keys.create(operator, {
      projectId: world.project.id,
      name: 'b',
    })
    budget.setBudget(created.id, 1)
    const call = (id: number) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'devtune_list_webhooks', arguments: {} },
    })
    const answer = await rawMcp(url, [call(1), call(2), call(3)], bearer(created.key))
    expect(answer.status).toBe(200)
    await world.keyward.activity.flush()
    const page = await owners.a.request(
      'GET',
      `/accounts/${world.account.id}/activity?keyId=${created.id}&limit=10`,
    )
    const rows = page.json().data as Array<{ id: string; status: number; reason: string | null }>
    const details = await Promise.all(
      rows.map(async (row) =>
        (await owners.a.request('GET', `/accounts/${world.account.id}/activity/${row.id}`)).json(),
      ),
    )
    expect(details.map((d) => [d.rpcId, d.status, d.reason]).sort()).toEqual([
      ['1', 200, null],
      ['2', 429, 'rate_limited'],
      ['3', 429, 'rate_limited'],
    ])
    expect(new Set(details.map((d) => d.requestId))).toEqual(new Set([answer.headers.get('x-request-id')]))
  })
})
