import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { composeKeyward, type Keyward } from '../src/main.ts'
import { openDatabase } from '../src/storage/database.ts'
import { migrationProvider } from '../src/storage/migrations/index.ts'
import { startUntil } from './support/cli.ts'
import { newUser } from './support/keyward.ts'
import { grantAndToken } from './support/oauth-tokens.ts'

const postgresUrl = process.env.TEST_DATABASE_URL
const redisUrl = process.env.TEST_REDIS_URL
const enabled = Boolean(postgresUrl && redisUrl)
if (!enabled)
  console.log('Multi-node suite SKIPPED: it needs TEST_DATABASE_URL and TEST_REDIS_URL (CI sets both)')

type Node = ReturnType<typeof startUntil> & { url: string; pid: number }

/** A fresh database on the test server, so that three nodes can share it as production nodes would. */
function databaseUrlFor(name: string): string {
  const url = new URL(postgresUrl as string)
  url.pathname = `/${name}`
  return url.toString()
}

async function startNode(env: Record<string, string>): Promise<Node> {
  const node = startUntil(process.execPath, ['bin/keyward.js', 'serve', '--json'], env, /^\{.*"url".*\}$/)
  const { url } = JSON.parse((await node.matched)[0])
  return { ...node, url, pid: node.child.pid as number }
}

/**
 * A node's cache trusts a record for up to 10 s; a change reaches the other nodes sooner only through the Postgres
 * notification. Half that lifetime tells the two apart and leaves a busy machine seconds to spare.
 */
const notifiedWithinMs = 5_000

const pollUntil = async (check: () => Promise<boolean>, limitMs: number): Promise<number> => {
  const started = performance.now()
  while (performance.now() - started < limitMs) {
    if (await check()) return performance.now() - started
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`not within ${limitMs} ms`)
}

describe.skipIf(!enabled)('three nodes on one Postgres and one Redis', () => {
  const database = `keyward_mn_${randomBytes(4).toString('hex')}`
  let env: Record<string, string>
  let nodes: Node[] = []
  let admin: Keyward
  let projectId: string
  let accountId: string
  const status = (node: Node, key: string) =>
    fetch(`${node.url}/api/v2/projects/${projectId}/webhooks`, {
      headers: { authorization: `Bearer ${key}` },
    }).then((r) => r.status)

  beforeAll(async () => {
    const server = openDatabase(postgresUrl as string)
    await sql`create database ${sql.id(database)}`.execute(server.db)
    await server.close()
    env = {
      DATABASE_URL: databaseUrlFor(database),
      REDIS_URL: redisUrl as string,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    }
    // Two nodes start at once on the empty database: the migration lock makes one of them migrate.
    nodes = await Promise.all([startNode(env), startNode(env)])
    nodes.push(await startNode(env))
    admin = await composeKeyward(loadConfig(env))
    const account = await admin.services.accounts.create(operator, { name: 'Scale', plan: 'plus' })
    projectId = (await admin.services.projects.create(operator, { accountId: account.id, name: 'P' })).id
    accountId = account.id
  }, 60_000)

  afterAll(async () => {
    for (const node of nodes) node.child.kill('SIGTERM')
    await Promise.all(nodes.map((n) => n.exited))
    await admin?.close()
    const server = openDatabase(postgresUrl as string)
    await sql`drop database if exists ${sql.id(database)} with (force)`.execute(server.db)
    await server.close()
  })

  it('migrated once although two nodes started together', async () => {
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      admin.database.db,
    )
    const all = Object.keys(await migrationProvider.getMigrations()).sort()
    expect(applied.rows.map((r) => r.name)).toEqual(all)
  })

  it('accepts a key on every node, and refuses it on every node soon after its revocation (notified, not expired)', async () => {
    const created = await admin.services.keys.create(operator, { projectId, name: 'shared' })
    for (const node of nodes) for (let i = 0; i < 3; i++) expect(await status(node, created.key)).toBe(200)
    await admin.services.keys.revoke(operator, { keyId: created.id })
    const delays = await Promise.all(
      nodes.map((node) => pollUntil(async () => (await status(node, created.key)) === 401, notifiedWithinMs)),
    )
    expect(Math.max(...delays)).toBeLessThan(notifiedWithinMs)
  })

  it('enforces a narrowed scope on every node soon after (notified, not expired)', async () => {
    const created = await admin.services.keys.create(operator, { projectId, name: 'narrowed' })
    for (const node of nodes) expect(await status(node, created.key)).toBe(200)
    await admin.services.keys.updateScopes(operator, { keyId: created.id, scopes: ['visibility.read'] })
    await Promise.all(
      nodes.map((node) => pollUntil(async () => (await status(node, created.key)) === 403, notifiedWithinMs)),
    )
  })

  it('refuses on every node a key older than a new policy maximum, and takes it back when loosened (notified)', async () => {
    const created = await admin.services.keys.create(operator, { projectId, name: 'aged' })
    await admin.database.db
      .updateTable('api_keys')
      .set({ created_at: Date.now() - 40 * 86_400_000 })
      .where('id', '=', created.id)
      .execute()
    for (const node of nodes) expect(await status(node, created.key)).toBe(200)
    await admin.services.keyPolicy.update(operator, { accountId, change: { maxLifetimeDays: 30 } })
    await Promise.all(
      nodes.map((node) => pollUntil(async () => (await status(node, created.key)) === 401, notifiedWithinMs)),
    )
    await admin.services.keyPolicy.update(operator, { accountId, change: { maxLifetimeDays: null } })
    await Promise.all(
      nodes.map((node) => pollUntil(async () => (await status(node, created.key)) === 200, notifiedWithinMs)),
    )
  })

  it('follows disable, enable, an IP allowlist and a per-key limit on every node soon after (notified)', async () => {
    const created = await admin.services.keys.create(operator, { projectId, name: 'fenced' })
    for (const node of nodes) expect(await status(node, created.key)).toBe(200)
    const everywhere = (expected: number) =>
      Promise.all(
        nodes.map((node) =>
          pollUntil(async () => (await status(node, created.key)) === expected, notifiedWithinMs),
        ),
      )
    await admin.services.keys.setDisabled(operator, { keyId: created.id, disabled: true })
    await everywhere(401)
    await admin.services.keys.setDisabled(operator, { keyId: created.id, disabled: false })
    await everywhere(200)
    // The nodes see the test's requests from 127.0.0.1: a list without it fences them out.
    await admin.services.keys.updateControls(operator, { keyId: created.id, allowedIps: ['203.0.113.0/24'] })
    await everywhere(403)
    await admin.services.keys.updateControls(operator, {
      keyId: created.id,
      allowedIps: ['127.0.0.0/8'],
      rateLimitPerMinute: 7,
    })
    await Promise.all(
      nodes.map((node) =>
        pollUntil(async () => {
          const response = await fetch(`${node.url}/api/v2/projects/${projectId}/webhooks`, {
            headers: { authorization: `Bearer ${created.key}` },
          })
          return response.headers.get('x-ratelimit-limit') === '7'
        }, notifiedWithinMs),
      ),
    )
  })

  it('refuses the previous secret on every node soon after a grace-0 roll, and a re-roll ends a grace', async () => {
    const created = await admin.services.keys.create(operator, { projectId, name: 'rolled' })
    for (const node of nodes) expect(await status(node, created.key)).toBe(200)
    const rolled = await admin.services.keys.rotate(operator, { keyId: created.id, grace: '0' })
    await Promise.all(
      nodes.map((node) => pollUntil(async () => (await status(node, created.key)) === 401, notifiedWithinMs)),
    )
    for (const node of nodes) expect(await status(node, rolled.key)).toBe(200)
    // In a 30-day grace the previous secret works everywhere; rolling again ends that grace on every node.
    const second = await admin.services.keys.rotate(operator, { keyId: created.id, grace: '30d' })
    for (const node of nodes) expect(await status(node, rolled.key)).toBe(200)
    await admin.services.keys.rotate(operator, { keyId: created.id, grace: '30d' })
    await Promise.all(
      nodes.map((node) => pollUntil(async () => (await status(node, rolled.key)) === 401, notifiedWithinMs)),
    )
    for (const node of nodes) expect(await status(node, second.key)).toBe(200)
  })

  it("refuses a key revoked while a node's listener was cut off, once it reconnects", async () => {
    const [, nodeB] = nodes as [Node, Node, Node]
    const created = await admin.services.keys.create(operator, { projectId, name: 'gap' })
    expect(await status(nodeB, created.key)).toBe(200)
    const killed = await sql<{
      killed: boolean
    }>`select pg_terminate_backend(pid) as killed from pg_stat_activity
      where application_name = ${`keyward-listener:${nodeB.pid}`}`.execute(admin.database.db)
    expect(killed.rows).toEqual([{ killed: true }])
    await admin.services.keys.revoke(operator, { keyId: created.id })
    // Without its listener B bypasses its cache, so this is quick; the 10 s cache lifetime is the outer bound, and
    // the backstop leaves a busy machine room beyond it.
    await pollUntil(async () => (await status(nodeB, created.key)) === 401, 20_000)
    // The listener comes back: B keeps honouring notifications afterwards.
    await pollUntil(async () => {
      const rows =
        await sql`select 1 from pg_stat_activity where application_name = ${`keyward-listener:${nodeB.pid}`}`.execute(
          admin.database.db,
        )
      return rows.rows.length === 1
    }, 20_000)
    const later = await admin.services.keys.create(operator, { projectId, name: 'after' })
    expect(await status(nodeB, later.key)).toBe(200)
    await admin.services.keys.revoke(operator, { keyId: later.id })
    await pollUntil(async () => (await status(nodeB, later.key)) === 401, notifiedWithinMs)
  })

  it('shares one rate limit across the nodes: a plus key gets exactly 100 requests', async () => {
    const created = await admin.services.keys.create(operator, { projectId, name: 'limited' })
    const statuses: number[] = []
    for (let i = 0; i < 120; i++) statuses.push(await status(nodes[i % 3] as Node, created.key))
    expect(statuses.filter((s) => s === 200)).toHaveLength(100)
    expect(statuses.slice(100).every((s) => s === 429)).toBe(true)
  })

  it('charges every MCP call of a batch: singles, batches and REST on two nodes give exactly 100', async () => {
    const created = await admin.services.keys.create(operator, { projectId, name: 'batched' })
    const [nodeA, nodeB] = nodes as [Node, Node, Node]
    const calls = (size: number) =>
      Array.from({ length: size }, (_, i) => ({
        jsonrpc: '2.0',
        id: i + 1,
        method: 'tools/call',
        params: { name: 'devtune_list_webhooks', arguments: {} },
      }))
    const mcp = async (node: Node, body: unknown): Promise<number> => {
      const response = await fetch(`${node.url}/api/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${created.key}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify(body),
      })
      if (response.status === 429) return 0
      const answers = [(await response.json()) as unknown].flat() as { result?: { isError?: boolean } }[]
      return answers.filter((a) => a.result !== undefined && !a.result.isError).length
    }
    const rest = async (node: Node) => ((await status(node, created.key)) === 200 ? 1 : 0)
    // Sent concurrently, so that the nodes' charges interleave in Redis.
    const successes = await Promise.all([
      mcp(nodeA, calls(40)),
      mcp(nodeB, calls(40)),
      mcp(nodeA, calls(1)[0]),
      rest(nodeB),
      mcp(nodeB, calls(30)),
      rest(nodeA),
      mcp(nodeA, calls(25)),
    ])
    expect(successes.reduce((sum, n) => sum + n, 0)).toBe(100)
  })

  /** The tools an OAuth access token sees on a node, or the HTTP status when it is refused. */
  const toolsOf = async (node: Node, token: string): Promise<string[] | number> => {
    const response = await fetch(`${node.url}/api/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    })
    if (response.status !== 200) return response.status
    const body = (await response.json()) as { result: { tools: Array<{ name: string }> } }
    return body.result.tools.map((tool) => tool.name)
  }

  it('narrows an OAuth grant on every node when its user’s role drops, and refuses it once revoked (notified)', async () => {
    const user = await newUser(admin, 'connector')
    await admin.services.accounts.addMember(operator, { accountId, userId: user.userId, role: 'member' })
    const { grant, token } = await grantAndToken(admin, {
      user,
      projectId,
      scopes: ['webhooks.read', 'webhooks.write'],
    })
    const canWrite = (tools: string[] | number) =>
      Array.isArray(tools) && tools.includes('devtune_create_webhook')
    for (const node of nodes)
      for (let i = 0; i < 3; i++) expect(canWrite(await toolsOf(node, token))).toBe(true)

    await admin.services.team.changeRole(operator, { accountId, userId: user.userId, role: 'viewer' })
    await Promise.all(
      nodes.map((node) =>
        pollUntil(async () => {
          const tools = await toolsOf(node, token)
          return Array.isArray(tools) && tools.includes('devtune_list_webhooks') && !canWrite(tools)
        }, notifiedWithinMs),
      ),
    )
    await admin.services.grants.revoke(operator, { grantId: grant.id })
    const delays = await Promise.all(
      nodes.map((node) => pollUntil(async () => (await toolsOf(node, token)) === 401, notifiedWithinMs)),
    )
    expect(Math.max(...delays)).toBeLessThan(notifiedWithinMs)
  })

  it('shares one rate limit per grant across the nodes: a plus grant gets exactly 100 requests', async () => {
    const user = await newUser(admin, 'busy')
    await admin.services.accounts.addMember(operator, { accountId, userId: user.userId, role: 'viewer' })
    const { token } = await grantAndToken(admin, { user, projectId, scopes: ['tests.read'] })
    const statuses: number[] = []
    for (let i = 0; i < 120; i++) {
      const tools = await toolsOf(nodes[i % 3] as Node, token)
      statuses.push(Array.isArray(tools) ? 200 : tools)
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(100)
    expect(statuses.slice(100).every((s) => s === 429)).toBe(true)
  })

  it("refuses a grant revoked while a node's listener was cut off", async () => {
    const [, , nodeC] = nodes as [Node, Node, Node]
    const user = await newUser(admin, 'gap')
    await admin.services.accounts.addMember(operator, { accountId, userId: user.userId, role: 'viewer' })
    const { grant, token } = await grantAndToken(admin, { user, projectId, scopes: ['tests.read'] })
    expect(Array.isArray(await toolsOf(nodeC, token))).toBe(true)
    const killed = await sql<{
      killed: boolean
    }>`select pg_terminate_backend(pid) as killed from pg_stat_activity
      where application_name = ${`keyward-listener:${nodeC.pid}`}`.execute(admin.database.db)
    expect(killed.rows).toEqual([{ killed: true }])
    await admin.services.grants.revoke(operator, { grantId: grant.id })
    // Without its listener C bypasses its grant cache, as its key cache; 10 s is the outer bound.
    await pollUntil(async () => (await toolsOf(nodeC, token)) === 401, 20_000)
  })

  it('ends a leaving user’s grant on every node (notified)', async () => {
    const user = await newUser(admin, 'leaver')
    await admin.services.accounts.addMember(operator, { accountId, userId: user.userId, role: 'viewer' })
    const { token } = await grantAndToken(admin, { user, projectId, scopes: ['tests.read'] })
    for (const node of nodes) expect(Array.isArray(await toolsOf(node, token))).toBe(true)
    await admin.services.team.removeMember(operator, { accountId, userId: user.userId })
    await Promise.all(
      nodes.map((node) => pollUntil(async () => (await toolsOf(node, token)) === 401, notifiedWithinMs)),
    )
  })
})
