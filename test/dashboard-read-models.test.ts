import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ActivityEntry } from '../src/core/activity.ts'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { keyedRequest } from './support/activity-rows.ts'
import { testDatabases } from './support/databases.ts'
import { type TestClock, teamWithProject, testClock, testKeyward } from './support/keyward.ts'

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour

describe.each(testDatabases)('dashboard read models on $name', (database) => {
  let keyward: Keyward
  let clock: TestClock
  beforeEach(async () => {
    clock = testClock(Date.UTC(2026, 10, 1, 12))
    keyward = await testKeyward({ database, clock })
  })
  afterEach(() => keyward.close())

  const activityRow = (over: Partial<ActivityEntry>) => keyedRequest({ at: clock(), ...over })

  it('pages, sorts and filters the key table in the database', async () => {
    const { account, project, owner } = await teamWithProject(keyward)
    const docs = await keyward.services.projects.create(owner, { accountId: account.id, name: 'Docs' })
    const names = ['delta', 'Alpha', 'charlie', 'bravo', 'echo']
    const ids: Record<string, string> = {}
    for (const [i, name] of names.entries()) {
      clock.advance(minute)
      const key = await keyward.services.keys.create(owner, {
        projectId: i % 2 === 0 ? project.id : docs.id,
        name,
        expires: i === 1 ? '30d' : 'never',
      })
      ids[name] = key.id
    }
    await keyward.services.keys.revoke(owner, { keyId: ids.charlie as string })
    clock.advance(31 * day) // Alpha has expired by now
    const page = (input: object) =>
      keyward.queries.keyPage(owner, {
        accountId: account.id,
        hideRevoked: false,
        sort: 'created',
        order: 'desc',
        page: 1,
        pageSize: 25,
        ...input,
      })

    const byName = await page({ sort: 'name', order: 'asc' })
    expect(byName.rows.map((k) => k.name)).toEqual(['Alpha', 'bravo', 'charlie', 'delta', 'echo'])
    expect(byName.total).toBe(5)
    const byStatus = await page({ sort: 'status', order: 'asc' })
    expect(byStatus.rows.map((k) => k.status)).toEqual(['active', 'active', 'active', 'expired', 'revoked'])
    expect(byStatus.rows.at(-1)?.name).toBe('charlie')
    const second = await page({ pageSize: 2, page: 2 })
    expect(second.rows.map((k) => k.name)).toEqual(['charlie', 'Alpha']) // created: echo bravo | charlie Alpha | delta
    expect(second.total).toBe(5)
    const docsOnly = await page({ projectId: docs.id, hideRevoked: true })
    expect(docsOnly.rows.map((k) => [k.name, k.projectName])).toEqual([
      ['bravo', 'Docs'],
      ['Alpha', 'Docs'],
    ])
    expect(docsOnly.total).toBe(2)
    expect((await page({ search: 'HAR' })).rows.map((k) => k.name)).toEqual(['charlie'])
    const bravo = byName.rows[1]
    const byPrefix = await page({ search: bravo?.prefix.toUpperCase() })
    expect(byPrefix.rows.map((k) => k.id)).toContain(bravo?.id)
    // `_` and `%` are taken literally: the prefix `dtk_live_` matches, `dtk%` and `d_k` match nothing.
    expect((await page({ search: 'dtk_live_' })).total).toBe(5)
    expect((await page({ search: 'dtk%' })).total).toBe(0)
    expect((await page({ search: 'd_k' })).total).toBe(0)
    const byExpiry = await page({ sort: 'expires', order: 'asc' })
    expect(byExpiry.rows[0]?.name).toBe('Alpha') // the only dated expiry sorts before "never"

    const outsider = await teamWithProject(keyward)
    await expect(page({ projectId: outsider.project.id })).rejects.toMatchObject({ code: 'not_found' })
    await expect(
      keyward.queries.keyPage(outsider.owner, {
        accountId: account.id,
        hideRevoked: false,
        sort: 'created',
        order: 'desc',
        page: 1,
        pageSize: 25,
      }),
    ).rejects.toMatchObject({ code: 'not_found' })
  })

  it('searches activity by key, project, status class and time, and pages by cursor', async () => {
    const { account, project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(operator, { projectId: project.id, name: 'Agent' })
    const base = { accountId: account.id, projectId: project.id, keyId: key.id }
    const start = clock()
    const statuses = [200, 200, 403, 429, 500, 404, 200]
    const rows = statuses.map((status, i) => activityRow({ ...base, status, at: start - i * 10 * minute }))
    rows.push(activityRow({ status: 401, at: start })) // no key identified: another account's noise
    await keyward.storage.activity.insertMany(rows)

    const search = (input: object) =>
      keyward.queries.activity(owner, { accountId: account.id, limit: 50, ...input })
    expect((await search({})).rows.map((r) => r.status)).toEqual(statuses)
    expect((await search({})).rows[0]).toMatchObject({ keyName: 'Agent', projectName: 'Website' })
    expect((await search({ statusClass: '4xx' })).rows.map((r) => r.status)).toEqual([403, 404])
    expect((await search({ statusClass: '429' })).rows.map((r) => r.status)).toEqual([429])
    expect((await search({ statusClass: '5xx' })).rows.map((r) => r.status)).toEqual([500])
    expect((await search({ from: start - 25 * minute })).rows).toHaveLength(3)

    const first = await search({ limit: 4 })
    expect(first.nextBefore).not.toBeNull()
    const rest = await search({ limit: 4, before: first.nextBefore })
    // The store gives rows ids of its own; the rows are told apart by time here.
    expect([...first.rows, ...rest.rows].map((r) => r.at)).toEqual(rows.slice(0, 7).map((r) => r.at))
    expect(rest.nextBefore).toBeNull()

    const series = await keyward.queries.activitySeries(owner, {
      accountId: account.id,
      from: start - hour,
      to: start,
    })
    expect(series.bucketMs).toBe(minute)
    const total = (cls: '2xx' | '4xx' | '429' | '5xx') => series.points.reduce((n, p) => n + p[cls], 0)
    expect([total('2xx'), total('4xx'), total('429'), total('5xx')]).toEqual([3, 2, 1, 1])
    expect(series.points.length).toBeGreaterThanOrEqual(60)
  })

  it('sums usage per key and flags active keys idle for 30 days', async () => {
    const { account, project, owner } = await teamWithProject(keyward)
    const idle = await keyward.services.keys.create(operator, { projectId: project.id, name: 'Idle' })
    clock.advance(40 * day)
    const busy = await keyward.services.keys.create(operator, { projectId: project.id, name: 'Busy' })
    const fresh = await keyward.services.keys.create(operator, { projectId: project.id, name: 'Fresh' })
    const forgotten = await keyward.services.keys.create(operator, {
      projectId: project.id,
      name: 'Forgotten',
    })
    await keyward.services.keys.revoke(operator, { keyId: forgotten.id })
    await keyward.services.keys.revoke(operator, { keyId: busy.id }) // revoked, yet something still calls it
    const base = { accountId: account.id, projectId: project.id, keyId: busy.id }
    await keyward.storage.activity.insertMany([
      activityRow({ ...base, status: 200 }),
      activityRow({ ...base, status: 200 }),
      activityRow({ ...base, status: 403 }),
      activityRow({ ...base, status: 500 }),
    ])
    const usage = await keyward.queries.keyUsage(owner, { accountId: account.id })
    const of = (id: string) => usage.find((u) => u.keyId === id)
    expect(of(busy.id)).toMatchObject({
      requests: 4,
      errors: 2,
      errorRate: 0.5,
      status: 'revoked',
      unusedFor30Days: false,
    })
    expect(of(forgotten.id)).toBeUndefined() // revoked and quiet: nothing to act on
    expect(of(idle.id)).toMatchObject({ requests: 0, lastUsedAt: null, unusedFor30Days: true })
    expect(of(fresh.id)).toMatchObject({ requests: 0, unusedFor30Days: false })
    expect(usage[0]?.keyId).toBe(busy.id)
  })

  it('lists webhooks across projects, inactive ones on request, and history with who acted', async () => {
    const { account, project, owner } = await teamWithProject(keyward)
    const made = await keyward.services.webhooks.create(owner, {
      projectId: project.id,
      url: 'https://hooks.example.test/a',
      events: ['action.created'],
    })
    clock.advance(minute)
    await keyward.services.webhooks.create(owner, {
      projectId: project.id,
      url: 'https://hooks.example.test/b',
      events: ['visibility.changed'],
    })
    clock.advance(minute)
    await keyward.services.webhooks.delete(owner, { projectId: project.id, webhookId: made.id })
    const all = await keyward.queries.webhooks(owner, { accountId: account.id, hideInactive: false })
    expect(all.map((w) => [w.url, w.isActive, w.projectName])).toEqual([
      ['https://hooks.example.test/b', true, 'Website'],
      ['https://hooks.example.test/a', false, 'Website'],
    ])
    const active = await keyward.queries.webhooks(owner, { accountId: account.id, hideInactive: true })
    expect(active).toHaveLength(1)

    const { events: history } = await keyward.queries.history(owner, {
      accountId: account.id,
      targetType: 'webhook',
      limit: 10,
    })
    expect(history.map((e) => e.action)).toEqual(['webhook.deleted', 'webhook.created', 'webhook.created'])
    const user = await keyward.users.findById(owner.userId)
    expect(history[0]?.actor).toEqual({ kind: 'user', id: owner.userId, label: `owner (${user?.email})` })
  })
})
