import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ActivityEntry } from '../src/core/activity.ts'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { keylessRequest } from './support/activity-rows.ts'
import { testDatabases } from './support/databases.ts'
import { type TestClock, teamWithProject, testClock, testKeyward } from './support/keyward.ts'

const minute = 60_000
const routes = ['/api/v2/projects/:projectId/visibility/summary', 'devtune_list_tests']

describe.each(testDatabases)('Agent Activity search on $name', (database) => {
  let keyward: Keyward
  let clock: TestClock
  beforeEach(async () => {
    clock = testClock(Date.UTC(2026, 10, 1, 12))
    keyward = await testKeyward({ database, clock })
  })
  afterEach(() => keyward.close())

  /** 250 rows of one key, a minute apart: every 5th refused for its scope, every 7th rate-limited. */
  async function history() {
    const team = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(operator, { projectId: team.project.id, name: 'Agent' })
    const rows: ActivityEntry[] = Array.from({ length: 250 }, (_, i) => {
      const refused = i % 5 === 0 ? 403 : i % 7 === 0 ? 429 : 200
      return {
        ...keylessRequest,
        id: `row-${String(i).padStart(4, '0')}`,
        at: clock() - i * minute,
        accountId: team.account.id,
        projectId: team.project.id,
        keyId: key.id,
        route: routes[i % 2] as string,
        status: refused,
        reason: refused === 403 ? 'missing_scope' : refused === 429 ? 'rate_limited' : null,
        requestId: `request-${i}`,
      }
    })
    const other = await teamWithProject(keyward)
    const foreign = { ...rows[0], requestId: 'foreign', accountId: other.account.id } as ActivityEntry
    const unidentified = {
      ...keylessRequest,
      id: '',
      requestId: 'unidentified',
      at: clock(),
    } as ActivityEntry
    await keyward.storage.activity.insertMany([...rows, foreign, unidentified])
    return { ...team, key, rows }
  }

  /** The store gives rows ids of its own (the time, see activity-codec.js); the tests tell them by request id. */
  async function storedId(requestId: string) {
    const row = await keyward.database.db
      .selectFrom('activity')
      .select('id')
      .where('request_id', '=', requestId)
      .executeTakeFirstOrThrow()
    return row.id
  }

  it('filters by endpoint or tool, exact status and reason, and pages past 100 rows', async () => {
    const { account, owner, rows } = await history()
    const search = (input: object) =>
      keyward.queries.activity(owner, { accountId: account.id, from: 0, limit: 100, ...input })
    const all: string[] = []
    let before: string | undefined
    for (let page = 0; page < 5; page++) {
      const result = await search({ before })
      all.push(...result.rows.map((r) => r.requestId as string))
      if (result.nextBefore === null) break
      before = result.nextBefore
    }
    expect(all).toEqual(rows.map((r) => r.requestId))

    const ids = (found: { rows: ActivityEntry[] }) => found.rows.map((r) => r.requestId)
    const expected = (keep: (r: ActivityEntry) => boolean) => rows.filter(keep).map((r) => r.requestId)
    expect(ids(await search({ route: 'devtune_list_tests', limit: 200 }))).toEqual(
      expected((r) => r.route === 'devtune_list_tests'),
    )
    expect(ids(await search({ status: 429, limit: 200 }))).toEqual(expected((r) => r.status === 429))
    expect(ids(await search({ reason: 'missing_scope', route: routes[0], limit: 200 }))).toEqual(
      expected((r) => r.reason === 'missing_scope' && r.route === routes[0]),
    )
    // The chart counts what the list shows.
    const series = await keyward.queries.activitySeries(owner, {
      accountId: account.id,
      from: clock() - 24 * 60 * minute, // hour-long bars, which the rollup could count
      to: clock(),
      reason: 'rate_limited',
    })
    const charted = series.points.reduce((n, p) => n + p['429'] + p['4xx'] + p['2xx'], 0)
    expect(charted).toBe(rows.filter((r) => r.reason === 'rate_limited').length)
  })

  it("opens a row of the account, and no other account's or unidentified one", async () => {
    const { account, owner, rows } = await history()
    const open = (activityId: string) =>
      keyward.queries.activityDetail(owner, { accountId: account.id, activityId })
    expect(await open(await storedId('request-5'))).toMatchObject({
      reason: 'missing_scope',
      requestId: 'request-5',
      keyName: 'Agent',
      at: rows[5]?.at,
    })
    await expect(open(await storedId('foreign'))).rejects.toMatchObject({ code: 'not_found' })
    await expect(open(await storedId('unidentified'))).rejects.toMatchObject({ code: 'not_found' })
    await expect(open('nothing')).rejects.toMatchObject({ code: 'not_found' })
  })

  it('lists unidentified rows to the operator only', async () => {
    const { account, owner } = await history()
    const unidentified = await keyward.queries.operatorActivity(operator, { unidentified: true, limit: 10 })
    expect(unidentified.rows.map((r) => r.requestId)).toEqual(['unidentified'])
    const members = await keyward.queries.activity(owner, { accountId: account.id, from: 0, limit: 500 })
    expect(members.rows.map((r) => r.requestId)).not.toContain('unidentified')
    const limited = await keyward.queries.operatorActivity(operator, {
      accountId: account.id,
      reason: 'rate_limited',
      limit: 500,
    })
    expect(limited.rows.length).toBeGreaterThan(0)
    expect(new Set(limited.rows.map((r) => [r.accountId, r.reason].join()))).toEqual(
      new Set([`${account.id},rate_limited`]),
    )
    await expect(
      keyward.queries.operatorActivity(owner, { unidentified: true, limit: 10 }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    })
  })
})
