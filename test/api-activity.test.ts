import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { composeKeyward } from '../src/main.ts'
import { keylessRequest } from './support/activity-rows.ts'
import { apiWorld, bearer, requestFor, routesUnderTest } from './support/api.ts'
import { runCliJson, startUntil } from './support/cli.ts'

type World = Awaited<ReturnType<typeof apiWorld>>
const list = routesUnderTest.find((r) => r.operationId === 'listWebhooks')
if (!list) throw new Error('listWebhooks route missing')

let world: World
beforeAll(async () => {
  world = await apiWorld()
})
afterAll(() => world.close())

const rows = () => world.keyward.database.db.selectFrom('activity').selectAll().orderBy('at').execute()

describe('Agent Activity recording', () => {
  it('buffers rows in memory and writes one per keyed request, with the right fields and no secret', async () => {
    const created = await world.keyward.services.keys.create(operator, {
      projectId: world.project.id,
      name: 'ci',
      scopes: ['tests.read'],
    })
    const full = await world.mint(world.project.id)
    await world.keyward.activity.flush()
    const before = (await rows()).length

    const request = requestFor(list, world.project.id)
    const responses = [
      await world.app.inject({ ...request, headers: { ...bearer(full), 'user-agent': 'bi-tool/1.0' } }),
      await world.app.inject({ ...request, headers: bearer(created.key) }),
      await world.app.inject({ ...request, url: `${request.url}?api_key=${full}` }),
      await world.app.inject({ ...request, headers: bearer('dtk_live_garbage') }),
    ]
    expect(responses.map((r) => r.statusCode)).toEqual([200, 403, 401, 401])
    expect(await rows()).toHaveLength(before) // nothing written synchronously per request
    await world.keyward.activity.flush()
    const written = (await rows()).slice(before)
    expect(written).toHaveLength(4)

    const path = `/api/v2/projects/${world.project.id}/webhooks`
    const common = {
      method: 'GET',
      route: '/api/v2/projects/:projectId/webhooks',
      path,
      scope: 'webhooks.read',
      client_ip: '127.0.0.1',
    }
    expect(written[0]).toMatchObject({
      ...common,
      status: 200,
      error_code: null,
      reason: null,
      request_id: responses[0]?.headers['x-request-id'],
      user_agent: 'bi-tool/1.0',
      account_id: world.account.id,
      project_id: world.project.id,
      rate_limited: 0,
    })
    expect(written[1]).toMatchObject({
      ...common,
      status: 403,
      error_code: 'forbidden',
      key_id: created.id,
      reason: 'missing_scope',
    })
    expect(written[2]).toMatchObject({
      ...common,
      status: 401,
      error_code: 'unauthorized',
      key_id: null,
      account_id: null,
      reason: 'missing_key',
    })
    expect(written[3]).toMatchObject({ ...common, status: 401, key_id: null, reason: 'malformed' })
    expect(written.map((row) => row.request_id)).toEqual(responses.map((r) => r.headers['x-request-id']))
    for (const row of written) expect(row.latency_ms).toBeGreaterThan(0)

    const dump = JSON.stringify(await sql`select * from activity`.execute(world.keyward.database.db))
    expect(dump).not.toContain(full.slice(9))
    expect(dump).not.toContain(created.key.slice(9))
  })

  it('names revoked keys in their rows, refuses them at once, and records 429s as rate-limited', async () => {
    const created = await world.keyward.services.keys.create(operator, {
      projectId: world.project.id,
      name: 'to revoke',
    })
    const request = { ...requestFor(list, world.project.id), headers: bearer(created.key) }
    expect((await world.app.inject(request)).statusCode).toBe(200)
    await world.keyward.services.keys.revoke(operator, { keyId: created.id })
    expect((await world.app.inject(request)).statusCode).toBe(401)
    await world.keyward.activity.flush()
    const mine = (await rows()).filter((r) => r.key_id === created.id)
    expect(mine.map((r) => [r.status, r.reason])).toEqual([
      [200, null],
      [401, 'revoked'],
    ])

    const limited = await world.keyward.services.keys.create(operator, {
      projectId: world.project.id,
      name: 'busy',
    })
    const busy = { ...requestFor(list, world.project.id), headers: bearer(limited.key) }
    for (let i = 0; i < 500; i++) await world.app.inject(busy)
    expect((await world.app.inject(busy)).statusCode).toBe(429)
    await world.keyward.activity.flush()
    const last = (await rows()).filter((r) => r.key_id === limited.id).at(-1)
    expect(last).toMatchObject({
      status: 429,
      rate_limited: 1,
      error_code: 'rate_limit_exceeded',
      reason: 'rate_limited',
    })
  })

  it('records an unknown route under /api/v2 without a pattern or scope, after authentication', async () => {
    const full = await world.mint(world.project.id)
    const url = `/api/v2/projects/${world.project.id}/no-such-thing`
    expect((await world.app.inject({ method: 'GET', url, headers: bearer(full) })).statusCode).toBe(404)
    await world.keyward.activity.flush()
    expect((await rows()).at(-1)).toMatchObject({
      path: url,
      route: null,
      scope: null,
      status: 404,
      error_code: 'not_found',
      project_id: world.project.id,
      reason: null,
    })
  })

  it('coalesces last_used_at and writes it in a batch', async () => {
    const created = await world.keyward.services.keys.create(operator, {
      projectId: world.project.id,
      name: 'used',
    })
    const request = { ...requestFor(list, world.project.id), headers: bearer(created.key) }
    for (let i = 0; i < 3; i++) await world.app.inject(request)
    expect((await world.keyward.storage.keys.findById(created.id))?.lastUsedAt).toBeNull()
    await world.keyward.activity.flush()
    expect((await world.keyward.storage.keys.findById(created.id))?.lastUsedAt).toBe(world.clock())
  })

  it('prunes rows older than the retention period', async () => {
    await world.keyward.activity.flush()
    await world.keyward.storage.activity.insertMany([
      { ...keylessRequest, id: '', requestId: 'old-row', at: world.clock() - 31 * 86_400_000 },
    ])
    expect(await world.keyward.activity.prune()).toBe(1)
    expect((await rows()).some((r) => r.request_id === 'old-row')).toBe(false)
  })
})

describe('graceful shutdown', () => {
  it('flushes activity and last-used buffers before the server exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-flush-'))
    const env = { DATABASE_URL: join(dir, 'keyward.db'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }
    try {
      const demo = await runCliJson<{ projects: Array<{ id: string }>; key: { id: string; key: string } }>(
        ['demo'],
        env,
      )
      const server = startUntil(
        process.execPath,
        ['bin/keyward.js', 'serve', '--json'],
        env,
        /^\{.*"url".*\}$/,
      )
      const { url } = JSON.parse((await server.matched)[0])
      const keyProject = await (async () => {
        const keyward = await composeKeyward(loadConfig(env))
        const record = await keyward.storage.keys.findById(demo.key.id)
        await keyward.close()
        return record?.projectId
      })()
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${url}/api/v2/projects/${keyProject}/webhooks`, {
          headers: bearer(demo.key.key),
        })
        expect(response.status).toBe(200)
      }
      server.child.kill('SIGTERM')
      expect(await server.exited).toBe(0)

      const keyward = await composeKeyward(loadConfig(env))
      const written = await keyward.database.db
        .selectFrom('activity')
        .selectAll()
        .where('key_id', '=', demo.key.id)
        .execute()
      expect(written).toHaveLength(3)
      expect((await keyward.storage.keys.findById(demo.key.id))?.lastUsedAt).toBeGreaterThan(0)
      await keyward.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
