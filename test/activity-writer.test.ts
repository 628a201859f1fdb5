import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Worker } from 'node:worker_threads'
import SQLite from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { composeKeyward, type Keyward } from '../src/main.ts'
import { migrateToLatest, openDatabase } from '../src/storage/database.ts'
import { insertActivityRows, keylessRequest } from './support/activity-rows.ts'
import { withKeywardOnFile } from './support/keyward.ts'

const dir = mkdtempSync(join(tmpdir(), 'keyward-writer-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const withKeyward = (file: string, work: (keyward: Keyward) => Promise<void>) =>
  withKeywardOnFile(join(dir, file), work)

/**
 * On a SQLite file, activity rows are written by a worker thread. A process that records rows and closes, with nothing
 * else keeping it alive, must still see them written before it exits (an idle writer does not hold the process; one
 * with rows in hand does).
 */
describe('the activity writer thread', () => {
  it('writes the last rows of a process that closes right after recording them', async () => {
    const database = join(dir, 'keyward.db')
    const script = join(dir, 'record.mts')
    writeFileSync(
      script,
      `import { loadConfig } from '${join(process.cwd(), 'src/config.ts')}'
import { composeKeyward } from '${join(process.cwd(), 'src/main.ts')}'
const keyward = await composeKeyward(loadConfig({ DATABASE_URL: ${JSON.stringify(database)} }))
for (let i = 0; i < 1500; i++)
  keyward.activity.record({ at: Date.now(), accountId: null, projectId: null, keyId: null, method: 'GET', route: null,
    path: '/api/v2/x', status: 401, scope: null, latencyMs: 1, errorCode: 'unauthorized', rateLimited: false,
    reason: 'missing_key', requestedProjectId: null, requestId: null, rpcId: null, clientIp: null, userAgent: null })
await keyward.close()
`,
    )
    await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd() })
    const keyward = await composeKeyward(loadConfig({ DATABASE_URL: database }))
    try {
      const rows = await keyward.database.db.selectFrom('activity').select('id').execute()
      expect(rows).toHaveLength(1500)
    } finally {
      await keyward.close()
    }
  })
  it('starts before a new database is migrated and still writes rows once it is', async () => {
    const database = openDatabase(join(dir, 'fresh.db'))
    await new Promise((resolve) => setTimeout(resolve, 300)) // the thread is up; the activity table is not
    const keyward = await composeKeyward(loadConfig({ LOG_LEVEL: 'warn' }), { database })
    try {
      keyward.activity.record({ ...keylessRequest, at: Date.now() })
      await keyward.activity.flush()
      expect(await database.db.selectFrom('activity').select('id').execute()).toHaveLength(1)
    } finally {
      await keyward.close()
    }
  })

  it('writes every field of every row as recorded (unicode, nulls, fractions), through the thread', async () => {
    await withKeyward('fields.db', async (keyward) => {
      const entries = [
        { ...keylessRequest, at: 1_790_000_000_123 },
        {
          at: 1_790_000_000_456,
          accountId: 'account-1',
          projectId: 'project-1',
          keyId: 'key-1',
          method: 'POST',
          route: '/api/v2/projects/:projectId/webhooks',
          path: '/api/v2/projects/project-1/webhooks',
          status: 429,
          scope: 'webhooks.write',
          latencyMs: 12.34,
          errorCode: 'rate_limit_exceeded',
          rateLimited: true,
          reason: 'rate_limited',
          requestedProjectId: null,
          requestId: 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
          rpcId: '7',
          clientIp: '2001:db8::1',
          userAgent: `agent/1.0 (☃ 日本語 😀 "quoted" \\ back\nslash) ${'x'.repeat(3000)}`,
        },
      ] as const
      for (const entry of entries) keyward.activity.record(entry)
      await keyward.activity.flush()
      const rows = await keyward.storage.activity.listByAccount('account-1', { limit: 10 })
      expect(rows).toEqual([{ ...entries[1], id: expect.any(String) }])
      const keyless = await keyward.database.db
        .selectFrom('activity')
        .selectAll()
        .where('key_id', 'is', null)
        .execute()
      expect(keyless.map((row) => [row.at, row.status, row.path, row.user_agent, row.rate_limited])).toEqual([
        [1_790_000_000_123, 401, '/api/v2/nothing', null, 0],
      ])
    })
  })

  it('replaces a thread that died, so that later batches are still written', async () => {
    await withKeyward('respawn.db', async (keyward) => {
      const writer = keyward.database.activityWriter
      if (!writer) throw new Error('a SQLite file has a writer thread')
      // Simulates a crash: the thread is a private detail, reached here on purpose.
      await (Reflect.get(writer, 'worker') as Worker).terminate()
      keyward.activity.record({ ...keylessRequest, at: Date.now() })
      await keyward.activity.flush()
      expect(await keyward.database.db.selectFrom('activity').select('id').execute()).toHaveLength(1)
    })
  })

  it('prunes old rows on its own connection, in slices, and answers how many went', async () => {
    await withKeyward('prune.db', async (keyward) => {
      const day = 86_400_000
      const now = Date.now()
      // Rows 31 days old are past the default retention of 30 days; 5 rows of today stay.
      await insertActivityRows(keyward.storage.activity, 11_005, (i) => (i < 11_000 ? now - 31 * day : now))
      expect(await keyward.activity.prune()).toBe(11_000)
      expect(await keyward.database.db.selectFrom('activity').select('id').execute()).toHaveLength(5)
    })
  })

  it('writes last-use times on its own connection, never moving one backwards', async () => {
    await withKeyward('last-used.db', async (keyward) => {
      const account = await keyward.services.accounts.create(operator, { name: 'A', plan: 'pro' })
      const project = await keyward.services.projects.create(operator, { accountId: account.id, name: 'P' })
      const [first, second] = await Promise.all(
        ['one', 'two'].map((name) => keyward.services.keys.create(operator, { projectId: project.id, name })),
      )
      if (!first || !second) throw new Error('two keys')
      await keyward.storage.keys.recordLastUsed(new Map([[first.id, 2_000]]))
      // An older time (another node flushing late) for the first key, a first one for the second.
      await keyward.storage.keys.recordLastUsed(
        new Map([
          [first.id, 1_000],
          [second.id, 1_500],
        ]),
      )
      expect((await keyward.storage.keys.findById(first.id))?.lastUsedAt).toBe(2_000)
      expect((await keyward.storage.keys.findById(second.id))?.lastUsedAt).toBe(1_500)
    })
  })

  it('keeps the WAL bounded while the server commits every millisecond or two', async () => {
    const path = join(dir, 'busy-server.db')
    const database = openDatabase(path, { checkpointEveryMs: 50 })
    try {
      const sqlite = database.sqlite
      if (!sqlite) throw new Error('a SQLite file has a connection')
      sqlite.exec('create table filler (x blob)')
      const insert = sqlite.prepare('insert into filler values (randomblob(100000))')
      // 40 MB in 400 commits with the event loop free in between (the pace of a busy server's own writes).
      for (let i = 0; i < 400; i++) {
        insert.run()
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
      expect(statSync(`${path}-wal`).size).toBeLessThan(16_000_000)
    } finally {
      await database.close()
    }
  })

  it("lets the server's transactions hold the write lock from their start, so the thread's commits cannot fail them", async () => {
    const path = join(dir, 'immediate.db')
    const database = openDatabase(path)
    await migrateToLatest(database.db)
    // Another connection that never waits: the activity thread committing at the worst moment.
    const other = new SQLite(path, { timeout: 0 })
    let otherFailed: unknown
    try {
      await database.db.transaction().execute(async (trx) => {
        await trx.selectFrom('instance_settings').selectAll().execute()
        try {
          other.prepare(`insert into activity_names (name) values ('x')`).run()
        } catch (error) {
          otherFailed = error
        }
        // Begun deferred, this write would fail with SQLITE_BUSY_SNAPSHOT after the other connection's commit.
        await trx.insertInto('instance_settings').values({ name: 'probe', value: '1' }).execute()
      })
      expect((otherFailed as { code?: string } | undefined)?.code).toBe('SQLITE_BUSY')
      const probe = await database.db
        .selectFrom('instance_settings')
        .select('value')
        .where('name', '=', 'probe')
        .execute()
      expect(probe).toEqual([{ value: '1' }])
    } finally {
      other.close()
      await database.close()
    }
  })

  it('runs the WAL checkpoints, so that the server never stalls on one and the WAL stays bounded', async () => {
    const path = join(dir, 'checkpoints.db')
    const database = openDatabase(path, { checkpointEveryMs: 50 })
    try {
      const sqlite = database.sqlite
      if (!sqlite) throw new Error('a SQLite file has a connection')
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
      sqlite.exec('create table filler (x blob)')
      // 6 MB, past SQLite's automatic threshold of 1,000 pages (4 MB), written by the server's connection only.
      const fill = sqlite.transaction(() => {
        const insert = sqlite.prepare('insert into filler values (randomblob(8000))')
        for (let i = 0; i < 750; i++) insert.run()
      })
      fill()
      const walAfterFirst = statSync(`${path}-wal`).size
      expect(walAfterFirst).toBeGreaterThan(6_000_000)
      // Checkpointed by the writer thread (past 1,000 pages it truncates the WAL), whenever a busy machine lets its
      // timer run: waited for, with a backstop far beyond any scheduling delay.
      for (const deadline = Date.now() + 20_000; statSync(`${path}-wal`).size >= walAfterFirst; ) {
        if (Date.now() > deadline) throw new Error('the writer thread never checkpointed the WAL')
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      // The next commits start the WAL over instead of appending to it.
      fill()
      expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(walAfterFirst)
    } finally {
      await database.close()
    }
    // The thread closed its connection before the server's: the last close folded the WAL into the file.
    expect(existsSync(`${path}-wal`)).toBe(false)
    expect(statSync(path).size).toBeGreaterThan(12_000_000)
  })
})
