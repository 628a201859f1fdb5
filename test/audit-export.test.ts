import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ActivityEntry } from '../src/core/activity.ts'
import { KeywardError } from '../src/core/errors.ts'
import { type ExportRecord, exportContentType } from '../src/core/export-format.ts'
import { operator } from '../src/core/model.ts'
import {
  activityExportColumns,
  exportActivity,
  historyExportColumns,
} from '../src/core/read-models/export.ts'
import type { ActivitySearch, ReadModels } from '../src/core/read-models/ports.ts'
import { appDeps, type Keyward } from '../src/main.ts'
import { createReadModels } from '../src/storage/read-models/index.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { keyedRequest } from './support/activity-rows.ts'
import { parseCsv } from './support/csv.ts'
import { signedIn } from './support/dashboard.ts'
import { testDatabases } from './support/databases.ts'
import { type TestClock, teamWithProject, testClock, testKeyward } from './support/keyward.ts'

const second = 1000
/** Text a CSV writer must quote: commas, quotes, CR/LF, and a leading `=` a spreadsheet would run as a formula. */
const awkward = ['curl/8, "quoted" agent', 'line one\r\nline two', '=HYPERLINK("http://evil.test")', 'plain']

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = ''
  for await (const chunk of chunks) text += chunk
  return text
}
const ndjson = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ExportRecord)

/** What a CSV field of the export reads as, for a record's value (see csvField: formulas get a leading '). */
const asCsv = (value: unknown) =>
  value === null ? '' : typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value)

describe.each(testDatabases)('audit exports on $name', (database) => {
  let keyward: Keyward
  let clock: TestClock
  beforeEach(async () => {
    clock = testClock(Date.UTC(2026, 10, 1, 12))
    keyward = await testKeyward({ database, clock })
  })
  afterEach(() => keyward.close())

  /** `count` requests of one key a second apart, newest first, with awkward user agents; plus other accounts' rows. */
  async function activity(count: number) {
    const team = await teamWithProject(keyward, ['viewer'])
    const key = await keyward.services.keys.create(operator, {
      projectId: team.project.id,
      name: 'Agent, "A"',
    })
    const rows: ActivityEntry[] = Array.from({ length: count }, (_, i) =>
      keyedRequest({
        at: clock() - i * second,
        accountId: team.account.id,
        projectId: team.project.id,
        keyId: key.id,
        status: i % 3 === 0 ? 403 : 200,
        reason: i % 3 === 0 ? 'missing_scope' : null,
        userAgent: awkward[i % awkward.length] as string,
        requestId: `request-${i}`,
        rpcId: i % 2 ? String(i) : null,
      }),
    )
    const other = await teamWithProject(keyward)
    const foreign = keyedRequest({ at: clock(), accountId: other.account.id })
    const unidentified = keyedRequest({ at: clock(), status: 401, reason: 'unknown_key' })
    await keyward.storage.activity.insertMany([...rows, foreign, unidentified])
    return { ...team, key, rows }
  }

  const expected = (
    row: ActivityEntry,
    names: { projectName: string; keyName: string; keyPrefix: string },
  ) => ({
    ...Object.fromEntries(activityExportColumns.map((c) => [c, (row as unknown as ExportRecord)[c] ?? null])),
    ...names,
    at: new Date(row.at).toISOString(),
    id: expect.stringMatching(/^\d+$/),
  })

  it('exports every row of the account and only those, as NDJSON and as CSV with correct quoting', async () => {
    const { account, owner, project, key, rows } = await activity(2345)
    const names = { projectName: project.name, keyName: key.name, keyPrefix: key.prefix }
    const exported = ndjson(
      await collect(
        (await keyward.queries.exportActivity(owner, { accountId: account.id, format: 'ndjson' })).chunks,
      ),
    )
    const inDatabase = await keyward.database.db
      .selectFrom('activity')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', account.id)
      .executeTakeFirstOrThrow()
    expect(exported).toHaveLength(Number(inDatabase.n))
    expect(exported).toEqual(rows.map((row) => expected(row, names)))
    // The ids are the stored ones (the store makes them), as the audit stream sends them.
    const stored = await keyward.database.db
      .selectFrom('activity')
      .select('id')
      .where('account_id', '=', account.id)
      .orderBy('at', 'desc')
      .execute()
    expect(exported.map((r) => r.id)).toEqual(stored.map((r) => r.id))

    const csv = parseCsv(
      await collect(
        (await keyward.queries.exportActivity(owner, { accountId: account.id, format: 'csv' })).chunks,
      ),
    )
    expect(csv[0]).toEqual([...activityExportColumns])
    expect(csv.slice(1)).toEqual(exported.map((record) => activityExportColumns.map((c) => asCsv(record[c]))))
    expect(csv.slice(1, 5).map((r) => r[activityExportColumns.indexOf('userAgent')])).toEqual([
      'curl/8, "quoted" agent',
      'line one\r\nline two',
      `'=HYPERLINK("http://evil.test")`,
      'plain',
    ])
  })

  it('honours the filters: time range, key, reason and exact status', async () => {
    const { account, owner, key, rows } = await activity(300)
    const ids = async (input: object) =>
      ndjson(
        await collect(
          (await keyward.queries.exportActivity(owner, { accountId: account.id, format: 'ndjson', ...input }))
            .chunks,
        ),
      ).map((r) => r.requestId)
    const from = clock() - 100 * second
    const to = clock() - 50 * second
    expect(await ids({ from, to })).toEqual(
      rows.filter((r) => r.at >= from && r.at <= to).map((r) => r.requestId),
    )
    expect(await ids({ reason: 'missing_scope', keyId: key.id })).toEqual(
      rows.filter((r) => r.reason === 'missing_scope').map((r) => r.requestId),
    )
    expect(await ids({ status: 200, from })).toEqual(
      rows.filter((r) => r.status === 200 && r.at >= from).map((r) => r.requestId),
    )
    expect(await ids({ keyId: 'no-such-key' })).toEqual([])
  })

  it('reads a page at a time, and the next page only when the consumer takes the last one', async () => {
    const { account, owner } = await activity(2345)
    const views = createReadModels(keyward.database.db)
    const asked: number[] = []
    const spied: ReadModels = {
      ...views,
      activity: {
        ...views.activity,
        search: (filter: ActivitySearch, page) => {
          asked.push(page.limit)
          return views.activity.search(filter, page)
        },
      },
    }
    const deps = { storage: keyward.storage, views: spied, clock }
    const { chunks } = await exportActivity(deps, owner, {
      accountId: account.id,
      format: 'ndjson',
      pageSize: 500,
    })
    const first = await chunks.next()
    // One page in hand, none read ahead: an export of ten million rows holds what an export of 500 does.
    expect(asked).toEqual([500])
    expect(ndjson(first.value as string)).toHaveLength(500)
    const sizes = [500]
    for await (const chunk of chunks) sizes.push(ndjson(chunk).length)
    expect(sizes).toEqual([500, 500, 500, 500, 345])
    expect(asked).toEqual([500, 500, 500, 500, 500])
  })

  it('is for members only, and refuses a range that ends before it starts', async () => {
    const { account, members } = await activity(3)
    const outsider = await teamWithProject(keyward)
    const viewer = members.viewer as NonNullable<typeof members.viewer>
    const viewerExport = await keyward.queries.exportActivity(viewer, {
      accountId: account.id,
      format: 'csv',
    })
    expect(parseCsv(await collect(viewerExport.chunks))).toHaveLength(4)
    await expect(
      keyward.queries.exportActivity(outsider.owner, { accountId: account.id, format: 'csv' }),
    ).rejects.toMatchObject({ code: 'not_found' })
    await expect(
      keyward.queries.exportHistory(outsider.owner, { accountId: account.id, format: 'csv' }),
    ).rejects.toMatchObject({ code: 'not_found' })
    await expect(
      keyward.queries.exportActivity(viewer, { accountId: account.id, format: 'csv', from: 2, to: 1 }),
    ).rejects.toBeInstanceOf(KeywardError)
  })

  it('exports management history: key, member and webhook changes with who made them, in a range', async () => {
    const { account, owner, key } = await activity(0)
    clock.advance(60 * second)
    const since = clock()
    await keyward.services.keys.updateScopes(owner, { keyId: key.id, scopes: ['tests.read'] })
    clock.advance(second)
    await keyward.services.keys.revoke(owner, { keyId: key.id })
    const all = ndjson(
      await collect(
        (await keyward.queries.exportHistory(owner, { accountId: account.id, format: 'ndjson' })).chunks,
      ),
    )
    const listed = await keyward.queries.history(owner, { accountId: account.id, limit: 500 })
    expect(all.map((e) => e.id)).toEqual(listed.events.map((e) => e.id))
    expect(all.map((e) => e.action)).toEqual(expect.arrayContaining(['key.created', 'key.revoked']))
    const recent = ndjson(
      await collect(
        (await keyward.queries.exportHistory(owner, { accountId: account.id, format: 'ndjson', from: since }))
          .chunks,
      ),
    )
    expect(recent.map((e) => [e.action, e.targetId, e.actorKind, e.accountId])).toEqual([
      ['key.revoked', key.id, 'user', account.id],
      ['key.scopes_changed', key.id, 'user', account.id],
    ])
    // NDJSON nests the details as an object; CSV writes their JSON text.
    expect(typeof recent[1]?.details).toBe('object')
    const csv = parseCsv(
      await collect(
        (await keyward.queries.exportHistory(owner, { accountId: account.id, format: 'csv', from: since }))
          .chunks,
      ),
    )
    expect(csv[0]).toEqual([...historyExportColumns])
    expect(csv.slice(1).map((r) => r[historyExportColumns.indexOf('details')])).toEqual(
      recent.map((e) => JSON.stringify(e.details)),
    )
  })
})

describe('dashboard export routes', () => {
  let keyward: Keyward
  let app: FastifyInstance
  beforeEach(async () => {
    keyward = await testKeyward()
    app = await buildApp({ ...appDeps(keyward), logLevel: 'silent' })
  })
  afterEach(async () => {
    await app.close()
    await keyward.close()
  })

  it("downloads the page's filter as an attachment; bad input is a 400", async () => {
    const team = await teamWithProject(keyward)
    const now = Date.now()
    const rows = Array.from({ length: 30 }, (_, i) =>
      keyedRequest({
        at: now - i * second,
        accountId: team.account.id,
        status: i % 2 ? 429 : 200,
        userAgent: 'a,b',
      }),
    )
    await keyward.storage.activity.insertMany(rows)
    const client = await signedIn(app, keyward, team.owner.userId)
    const base = `/accounts/${team.account.id}/activity/export`
    const csv = await client.request('GET', `${base}?statusClass=429&from=${now - 60_000}&to=${now}`)
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toBe(exportContentType.csv)
    expect(csv.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="activity-${team.account.id}-\\d{8}T\\d{6}Z\\.csv"$`),
    )
    const parsed = parseCsv(csv.body)
    const atColumn = activityExportColumns.indexOf('at')
    expect(parsed.slice(1).map((r) => r[atColumn])).toEqual(
      rows.filter((r) => r.status === 429).map((r) => new Date(r.at).toISOString()),
    )
    expect(parsed[1]?.[activityExportColumns.indexOf('userAgent')]).toBe('a,b')

    const lines = await client.request('GET', `${base}?format=ndjson&from=${now - 60_000}`)
    expect(lines.headers['content-type']).toBe(exportContentType.ndjson)
    expect(ndjson(lines.body).map((r) => r.at)).toEqual(rows.map((r) => new Date(r.at).toISOString()))

    for (const query of ['from=yesterday', 'format=xml', `from=${now}&to=${now - 1}`]) {
      const bad = await client.request('GET', `${base}?${query}`)
      expect(bad.statusCode, query).toBe(400)
      expect(bad.headers['content-disposition']).toBeUndefined()
    }
    const history = await client.request('GET', `/accounts/${team.account.id}/history/export?format=ndjson`)
    expect(history.statusCode).toBe(200)
    expect(history.headers['content-disposition']).toMatch(/^attachment; filename="history-.*\.ndjson"$/)
    expect(ndjson(history.body).map((e) => e.action)).toContain('project.created')
  })
})
