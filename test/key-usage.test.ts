import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { operator } from '../src/core/model.ts'
import { appDeps, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { keyedRequest } from './support/activity-rows.ts'
import { signedIn } from './support/dashboard.ts'
import { testDatabases } from './support/databases.ts'
import { type TestClock, teamWithProject, testClock, testKeyward } from './support/keyward.ts'

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour

const activityRow = keyedRequest

describe.each(testDatabases)("a key's usage on $name", (database) => {
  let keyward: Keyward
  let clock: TestClock
  const now = Date.UTC(2026, 10, 30, 15, 30)
  const from = Date.UTC(2026, 10, 1) // UTC midnight 29 days before today
  beforeEach(async () => {
    clock = testClock(now)
    keyward = await testKeyward({ database, clock })
  })
  afterEach(() => keyward.close())

  it('counts 30 whole UTC days from the rollup: every day, totals, percentiles, top endpoints', async () => {
    const { project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(operator, { projectId: project.id, name: 'Busy' })
    const other = await keyward.services.keys.create(operator, { projectId: project.id, name: 'Other' })
    const base = { accountId: project.accountId, projectId: project.id, keyId: key.id }
    const tests = { route: '/projects/:projectId/tests', status: 403, latencyMs: 0.4 }
    const tool = { method: 'MCP', route: 'devtune_visibility_summary', path: '/api/mcp', latencyMs: 8 }
    await keyward.storage.activity.insertMany([
      activityRow({ ...base, at: from - 1, latencyMs: 9999 }), // the day before the window
      ...Array.from({ length: 10 }, (_, i) => activityRow({ ...base, at: from + i * hour, latencyMs: 2 })),
      ...Array.from({ length: 6 }, (_, i) => activityRow({ ...base, ...tool, at: from + 10 * day + i })),
      ...Array.from({ length: 3 }, (_, i) => activityRow({ ...base, ...tests, at: now - hour - i })),
      activityRow({
        ...base,
        route: null,
        path: '/api/v2/nope',
        status: 404,
        latencyMs: 120,
        at: now - minute,
      }),
      activityRow({ ...base, keyId: other.id, at: now - minute }),
    ])

    const usage = await keyward.queries.keyUsageDetails(owner, { keyId: key.id })
    expect(usage.from).toBe(from)
    expect(usage.to).toBe(now)
    expect(usage.days).toHaveLength(30)
    expect(usage.days[0]).toEqual({ day: '2026-11-01', requests: 10, errors: 0 })
    expect(usage.days[10]).toEqual({ day: '2026-11-11', requests: 6, errors: 0 })
    expect(usage.days[29]).toEqual({ day: '2026-11-30', requests: 4, errors: 4 })
    expect(usage.days.filter((d) => d.requests === 0)).toHaveLength(27)
    expect(usage).toMatchObject({ requests: 20, errors: 4, errorRate: 0.2, lastUsedAt: now - minute })
    // Sorted: 0.4 ×3, 2 ×10, 8 ×6, 120. The 10th (p50) is 2 ms, in the bucket up to 2 ms; the 19th (p95) is 8 ms,
    // reported as its bucket's upper bound, 10 ms.
    expect([usage.p50Ms, usage.p95Ms]).toEqual([2, 10])
    expect(usage.topRoutes).toEqual([
      { method: 'GET', route: '/projects/:projectId/visibility/summary', requests: 10, errors: 0 },
      { method: 'MCP', route: 'devtune_visibility_summary', requests: 6, errors: 0 },
      { method: 'GET', route: '/projects/:projectId/tests', requests: 3, errors: 3 },
      { method: 'GET', route: null, requests: 1, errors: 1 },
    ])
  })

  it('flags a key unused for 30 days exactly as the Activity page does, and has no figures for it', async () => {
    const { project, owner } = await teamWithProject(keyward)
    clock.set(now - 31 * day)
    const idle = await keyward.services.keys.create(operator, { projectId: project.id, name: 'Idle' })
    const quiet = await keyward.services.keys.create(operator, { projectId: project.id, name: 'Quiet' })
    clock.set(now - 5 * day)
    const fresh = await keyward.services.keys.create(operator, { projectId: project.id, name: 'Fresh' })
    clock.set(now)
    const base = { accountId: project.accountId, projectId: project.id, keyId: quiet.id }
    await keyward.storage.activity.insertMany([activityRow({ ...base, at: now - 29 * day - hour })])

    const listed = await keyward.queries.keyUsage(owner, { accountId: project.accountId })
    for (const key of [idle, quiet, fresh]) {
      const usage = await keyward.queries.keyUsageDetails(owner, { keyId: key.id })
      const row = listed.find((u) => u.keyId === key.id)
      expect([usage.unusedFor30Days, usage.lastUsedAt]).toEqual([row?.unusedFor30Days, row?.lastUsedAt])
    }
    const idleUsage = await keyward.queries.keyUsageDetails(owner, { keyId: idle.id })
    expect(idleUsage).toMatchObject({ requests: 0, errorRate: 0, p50Ms: null, p95Ms: null, topRoutes: [] })
    expect(idleUsage.unusedFor30Days).toBe(true)
    expect(listed.find((u) => u.keyId === quiet.id)?.unusedFor30Days).toBe(false)
  })

  it('is not found for a member of another account, as for a key that does not exist', async () => {
    const { project } = await teamWithProject(keyward)
    const stranger = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(operator, { projectId: project.id, name: 'Theirs' })
    for (const keyId of [key.id, 'no-such-key'])
      await expect(keyward.queries.keyUsageDetails(stranger.owner, { keyId })).rejects.toMatchObject({
        code: 'not_found',
        message: 'Key not found',
      })
  })
})

describe('GET /api/dashboard/keys/:keyId/usage', () => {
  let keyward: Keyward
  let app: Awaited<ReturnType<typeof buildApp>>
  beforeAll(async () => {
    keyward = await testKeyward()
    app = await buildApp({ ...appDeps(keyward), logLevel: 'silent' })
  })
  afterAll(async () => {
    await app.close()
    await keyward.close()
  })

  it("answers a Viewer with the key's figures, and another account's member with 404", async () => {
    const team = await teamWithProject(keyward, ['viewer'])
    const stranger = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(operator, { projectId: team.project.id, name: 'K' })
    const at = Date.now() - minute
    const base = { accountId: team.account.id, projectId: team.project.id, keyId: key.id, at }
    await keyward.storage.activity.insertMany([
      activityRow({ ...base, latencyMs: 4 }),
      activityRow({ ...base, latencyMs: 4 }),
      activityRow({ ...base, status: 500, latencyMs: 60 }),
    ])
    const viewer = await signedIn(app, keyward, team.members.viewer?.userId ?? '')
    const response = await viewer.request('GET', `/keys/${key.id}/usage`)
    expect(response.statusCode, response.body).toBe(200)
    const { data } = response.json()
    expect(data).toMatchObject({
      requests: 3,
      errors: 1,
      errorRate: 1 / 3,
      p50Ms: 5,
      p95Ms: 60,
      lastUsedAt: at,
      unusedFor30Days: false,
      topRoutes: [
        { method: 'GET', route: '/projects/:projectId/visibility/summary', requests: 3, errors: 1 },
      ],
    })
    expect(data.days).toHaveLength(30)
    expect(data.days.at(-1).day).toBe(new Date(data.to).toISOString().slice(0, 10))
    expect(data.days.reduce((n: number, d: { requests: number }) => n + d.requests, 0)).toBe(3)

    const outsider = await signedIn(app, keyward, stranger.owner.userId)
    const refused = await outsider.request('GET', `/keys/${key.id}/usage`)
    expect(refused.statusCode).toBe(404)
    expect(refused.json()).toEqual({ error: 'not_found', message: 'Key not found', status: 404 })
  })
})
