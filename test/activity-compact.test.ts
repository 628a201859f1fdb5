import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Kysely, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { ActivityEntry } from '../src/core/activity.ts'
import { activityReasons } from '../src/core/activity-reason.ts'
import { migrateToLatest, openDatabase } from '../src/storage/database.ts'
import { activityLog } from '../src/storage/read-models/activity.ts'
import { activityStore, toRow } from '../src/storage/stores/activity.ts'
import { type TestDatabase, testDatabases } from './support/databases.ts'

const day = 86_400_000
const start = Date.UTC(2026, 10, 1, 9, 30)

/** A SQLite file, whose rows go through the writer thread (its own copy of the format's code). */
const sqliteFile: TestDatabase = {
  name: 'sqlite' as const,
  async open() {
    const folder = mkdtempSync(join(tmpdir(), 'keyward-compact-'))
    const database = openDatabase(join(folder, 'k.db'))
    await migrateToLatest(database.db)
    return {
      ...database,
      async close() {
        await database.close()
        rmSync(folder, { recursive: true, force: true })
      },
    }
  },
}

const full: ActivityEntry = {
  id: 'ignored',
  at: start,
  accountId: 'acc_1',
  projectId: 'prj_1',
  keyId: 'key_1',
  method: 'POST',
  route: '/projects/:projectId/webhooks',
  path: '/api/v2/projects/prj_1/webhooks?x=1',
  status: 403,
  scope: 'webhooks.write',
  latencyMs: 12.34,
  errorCode: 'forbidden',
  rateLimited: false,
  reason: 'wrong_project',
  requestedProjectId: 'prj_2',
  requestId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  rpcId: '17',
  clientIp: '2001:db8::1',
  userAgent: 'agent/1.0',
}

/** Every field, and the ways a field can be unusual: null, long, not ASCII, not a UUID, 15 and 16 bytes long. */
const entries: ActivityEntry[] = [
  full,
  {
    ...full,
    at: start + 1,
    accountId: null,
    projectId: null,
    keyId: null,
    route: null,
    scope: null,
    errorCode: null,
    reason: null,
    requestedProjectId: null,
    requestId: null,
    rpcId: null,
    clientIp: null,
    userAgent: null,
    status: 200,
    latencyMs: 0,
  },
  {
    ...full,
    at: start + 2,
    userAgent: `Mozilla/5.0 ${'x'.repeat(5000)} ünïcødé 😀`,
    requestId: 'not-a-uuid',
  },
  { ...full, at: start + 2, path: '/api/v2/projects/prj_1/ëxample/日本語/😀', requestId: 'fifteen-bytes-x' },
  { ...full, at: start + 2, requestId: 'sixteen-bytes-xx', rpcId: '"text id"', latencyMs: 29_999.99 },
  { ...full, at: start + 3, status: 429, rateLimited: true, reason: 'rate_limited', route: 'devtune_tool' },
  ...activityReasons.map((reason, i) => ({ ...full, at: start + 10 + i, reason })),
  // An MCP call through OAuth: its key id is a grant's id, any text (not an API key's).
  {
    ...full,
    at: start + 40,
    keyId: 'grant_2f6c1d9e-oauth-Ωmega',
    method: 'MCP',
    route: 'devtune_list_tests',
  },
]

const withoutId = ({ id: _, ...entry }: ActivityEntry) => entry

describe.each(
  [...testDatabases, sqliteFile].map((d, i) => ({ ...d, label: i === 2 ? 'sqlite file' : d.name })),
)('compact activity rows on $label', (database) => {
  it('give back every field as it was written, by search, by id and through the view', async () => {
    const { db, sqlite, activityWriter, close } = await database.open()
    try {
      const store = activityStore(db, sqlite, activityWriter)
      await store.insertMany(entries)
      const log = activityLog(db)
      const found = await log.search({ from: 0, to: start + day }, { limit: 100 })
      const oldestFirst = [...found].reverse()
      expect(oldestFirst.map((row) => withoutId(row))).toEqual(
        entries.map((entry) => ({
          ...withoutId(entry),
          projectName: null,
          keyName: null,
          keyPrefix: null,
        })),
      )
      // Ids are the store's own: digits, in time order, unique.
      expect(oldestFirst.every((row) => /^\d+$/.test(row.id))).toBe(true)
      expect(new Set(found.map((row) => row.id)).size).toBe(entries.length)
      const one = oldestFirst[2] as ActivityEntry
      expect(await log.find(one.id)).toMatchObject(withoutId(entries[2] as ActivityEntry))
      expect(await log.find('not-an-id')).toBeUndefined()
      const viewed = await db.selectFrom('activity').selectAll().orderBy('id').execute()
      expect(
        viewed.map((row) => [row.at, row.user_agent, row.request_id, row.reason, Number(row.latency_ms)]),
      ).toEqual(entries.map((e) => [e.at, e.userAgent, e.requestId, e.reason, e.latencyMs]))
      // The dictionaries hold each text once, however many rows share it.
      const names = await db.selectFrom('activity_names').select('name').where('name', '=', 'acc_1').execute()
      expect(names).toHaveLength(1)
    } finally {
      await close()
    }
  })

  it('numbers a burst of more rows in one millisecond than one set of tags holds, every row kept', async () => {
    const { db, sqlite, activityWriter, close } = await database.open()
    try {
      const store = activityStore(db, sqlite, activityWriter)
      const burst = Array.from({ length: 20_000 }, (_, i) => ({
        ...full,
        at: start + 5000,
        rpcId: String(i),
      }))
      await store.insertMany(burst)
      const rows = await db.selectFrom('activity').select(['id', 'at']).execute()
      expect(rows).toHaveLength(burst.length)
      expect(new Set(rows.map((r) => r.id)).size).toBe(burst.length)
      expect(new Set(rows.map((r) => Number(r.at)))).toEqual(new Set([start + 5000]))
    } finally {
      await close()
    }
  })
})

describe.each(testDatabases)('migration 0021 on $name', (database) => {
  it('converts the rows written before it, with every field', async () => {
    const { db, sqlite, close } = await database.open({ upTo: '0020-oauth' })
    try {
      const legacy = entries.map((e, i) => toRow(e, `0190a${String(i).padStart(4, '0')}-old`))
      // Rows on two days, so that Postgres gets a partition for each.
      legacy.push({ ...(legacy[0] as (typeof legacy)[0]), id: 'yesterday', at: start - day })
      await (db as unknown as Kysely<{ activity: (typeof legacy)[0] }>)
        .insertInto('activity')
        .values(legacy)
        .execute()

      // Lines the audit stream had not delivered yet: one for a row, one for a management event.
      const outbox = db as unknown as Kysely<{
        audit_outbox: { event_id: string; line: string; created_at: number }
      }>
      const pendingRow = legacy[2] as (typeof legacy)[0]
      await outbox
        .insertInto('audit_outbox')
        .values([
          {
            event_id: pendingRow.id,
            line: JSON.stringify({ type: 'activity', id: pendingRow.id, requestId: pendingRow.request_id }),
            created_at: start,
          },
          { event_id: 'evt_1', line: '{"type":"management","id":"evt_1"}', created_at: start },
        ])
        .execute()

      await migrateToLatest(db)
      const found = await activityLog(db).search({ from: 0, to: start + day }, { limit: 100 })
      expect(found).toHaveLength(legacy.length)
      expect([...found].reverse().map((row) => withoutId(row))).toEqual(
        [{ ...full, at: start - day }, ...entries].map((entry) => ({
          ...withoutId(entry),
          projectName: null,
          keyName: null,
          keyPrefix: null,
        })),
      )
      // The pending line now names its row by the id it is stored under; the event's line is as it was.
      const stored = await db
        .selectFrom('activity')
        .select('id')
        .where('request_id', '=', pendingRow.request_id)
        .executeTakeFirstOrThrow()
      const lines = await outbox
        .selectFrom('audit_outbox')
        .select(['event_id', 'line'])
        .orderBy('event_id')
        .execute()
      expect(lines).toEqual([
        {
          event_id: stored.id,
          line: JSON.stringify({ type: 'activity', id: stored.id, requestId: pendingRow.request_id }),
        },
        { event_id: 'evt_1', line: '{"type":"management","id":"evt_1"}' },
      ])
      // The shape rollup is built from the converted rows: the filtered chart's whole hours agree with them.
      const hourMs = 3_600_000
      const filtered = await activityLog(db).series(
        {
          accountId: 'acc_1',
          from: start - day - (start % hourMs),
          to: start + day,
          reason: 'wrong_project',
        },
        hourMs,
      )
      const wrongProject = [{ ...full, at: start - day }, ...entries].filter(
        (e) => e.accountId === 'acc_1' && e.reason === 'wrong_project',
      )
      expect(filtered.reduce((sum, point) => sum + point.count, 0)).toBe(wrongProject.length)
      const rolled = await db.selectFrom('activity_hourly_shapes').select('requests').execute()
      expect(rolled.reduce((sum, r) => sum + Number(r.requests), 0)).toBe(
        [full, ...entries].filter((e) => e.accountId !== null).length,
      )
      // Rows written after it land beside the converted ones.
      await activityStore(db, sqlite).insertMany([{ ...full, at: start }])
      expect(await activityLog(db).search({ from: start, to: start }, { limit: 10 })).toHaveLength(2)
    } finally {
      await close()
    }
  })
})

describe.each(testDatabases.filter((d) => d.name === 'postgres'))(
  'activity partitions on $name',
  (database) => {
    it('are made by day as rows need them, and retention drops whole days', async () => {
      const { db, close } = await database.open()
      try {
        const store = activityStore(db)
        const midnight = Date.UTC(2026, 10, 10)
        const at = [midnight - 2 * day + 5, midnight - day + 5, midnight - 1, midnight, midnight + 3_600_000]
        await store.insertMany(at.map((t) => ({ ...full, at: t })))
        const partitions = async () =>
          (
            await sql<{
              name: string
            }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = 'activity_log'::regclass order by 1`.execute(db)
          ).rows.map((r) => r.name)
        expect(await partitions()).toEqual(
          expect.arrayContaining([
            'activity_log_p20261108',
            'activity_log_p20261109',
            'activity_log_p20261110',
          ]),
        )

        // The cutoff falls inside the 10th: the 8th and 9th go whole, the 10th stays with all its rows.
        expect(await store.deleteBefore(midnight + 60_000)).toBe(3)
        const names = await partitions()
        expect(names).not.toContain('activity_log_p20261108')
        expect(names).not.toContain('activity_log_p20261109')
        expect(names).toContain('activity_log_p20261110')
        // The coming days are made ahead.
        const today = new Date().toISOString().slice(0, 10).replaceAll('-', '')
        expect(names).toContain(`activity_log_p${today}`)
        const left = await db.selectFrom('activity').select('at').orderBy('at').execute()
        expect(left.map((r) => r.at)).toEqual([midnight, midnight + 3_600_000])

        // A late row for a day that was dropped gets its partition again rather than failing the batch.
        await store.insertMany([{ ...full, at: midnight - day + 7 }])
        expect(await partitions()).toContain('activity_log_p20261109')
        expect(await db.selectFrom('activity').select('at').execute()).toHaveLength(3)
      } finally {
        await close()
      }
    })
  },
)
