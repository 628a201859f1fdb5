import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { composeKeyward, type Keyward } from '../src/main.ts'
import { migrateToLatest, type OpenDatabase, openDatabase } from '../src/storage/database.ts'
import { keylessRequest } from './support/activity-rows.ts'
import { postgresUrl, sqliteDatabase } from './support/databases.ts'
import { hmacHex, type ReceivedRequest, startReceiver } from './support/receiver.ts'

const secret = 'siem-secret-0123456789'
const dir = mkdtempSync(join(tmpdir(), 'keyward-audit-stream-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/**
 * A database that outlives one Keyward: a SQLite file (so activity goes through the writer thread) or a Postgres
 * schema. `open` gives a new connection to it each time, as a restarted server would make.
 */
interface DurableDatabase {
  name: string
  env: Record<string, string>
  open(): Promise<OpenDatabase | undefined>
}

function sqliteFile(): DurableDatabase {
  const path = join(dir, `${randomBytes(4).toString('hex')}.db`)
  return { name: 'sqlite file', env: { DATABASE_URL: path }, open: async () => undefined }
}

async function postgresSchema(): Promise<DurableDatabase> {
  const url = postgresUrl as string
  const schema = `kw_stream_${randomBytes(6).toString('hex')}`
  const admin = openDatabase(url)
  await sql`create schema ${sql.id(schema)}`.execute(admin.db)
  await admin.close()
  return {
    name: 'postgres',
    env: { DATABASE_URL: url },
    async open() {
      const database = openDatabase(url, { schema })
      await migrateToLatest(database.db)
      return database
    },
  }
}

const databases: Array<() => Promise<DurableDatabase>> = postgresUrl
  ? [async () => sqliteFile(), postgresSchema]
  : [async () => sqliteFile()]

async function keywardOn(database: DurableDatabase, env: Record<string, string>): Promise<Keyward> {
  return composeKeyward(loadConfig({ ...database.env, LOG_LEVEL: 'silent', ...env }), {
    database: await database.open(),
    auditStream: { pollMs: 10, retryMs: [10, 20], batchSize: 7, onError: () => {} },
  })
}

const streamEnv = (url: string) => ({
  KEYWARD_AUDIT_STREAM_URL: url,
  KEYWARD_AUDIT_STREAM_SECRET: secret,
  KEYWARD_ALLOW_HTTP_WEBHOOKS: '1',
})

type Line = {
  type: 'activity' | 'management'
  id: string
  action?: string
  targetId?: string
  requestId?: string
}
const linesOf = (request: ReceivedRequest) =>
  request.body
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Line)

describe.each(databases)(
  'audit stream to a SIEM receiver (%#: 0 sqlite file, 1 postgres)',
  (makeDatabase) => {
    it('delivers every event once after dedupe, in order, signed, across a restart with the receiver failing', async () => {
      const database = await makeDatabase()
      let healthy = false
      const accepted: ReceivedRequest[] = []
      // The first batch is taken, then the receiver fails until it is healthy again.
      const receiver = await startReceiver((request) => {
        if (healthy || accepted.length === 0) {
          accepted.push(request)
          return 200
        }
        return 503
      })
      const first = await keywardOn(database, streamEnv(receiver.url))
      const owner = await first.users.createWithPassword({
        email: 'o@siem.test',
        name: 'o',
        password: 'x'.repeat(12),
      })
      const account = await first.services.accounts.create(
        { kind: 'user', userId: owner.id },
        { name: 'S', plan: 'pro' },
      )
      const project = await first.services.projects.create(operator, { accountId: account.id, name: 'P' })
      const keys: Array<{ id: string }> = []
      for (const name of ['one', 'two'])
        keys.push(await first.services.keys.create(operator, { projectId: project.id, name }))
      for (let i = 0; i < 20; i++)
        first.activity.record({
          ...keylessRequest,
          at: Date.now(),
          accountId: account.id,
          requestId: `r-${i}`,
        })
      await first.activity.flush()
      const revoked = await first.services.keys.revoke(operator, { keyId: keys[0]?.id as string })

      first.auditStreamer?.start()
      await receiver.waitFor(2) // the first batch taken, the second refused: the rest is pending
      await first.close()

      const second = await keywardOn(database, streamEnv(receiver.url))
      const pending = await second.storage.auditOutbox.count()
      expect(pending).toBeGreaterThan(0)
      const events = await second.database.db.selectFrom('management_events').select('id').execute()
      const expected = new Set([...events.map((e) => e.id)])
      healthy = true
      second.auditStreamer?.start()
      const seen = new Map<string, Line>()
      const delivered = () => {
        seen.clear()
        for (const request of accepted)
          for (const line of linesOf(request)) if (!seen.has(line.id)) seen.set(line.id, line)
        return [...seen.values()]
      }
      while (delivered().length < expected.size + 20) await receiver.waitFor(receiver.received.length + 1)
      await second.close()
      await receiver.close()

      const stream = delivered()
      expect(stream).toHaveLength(expected.size + 20)
      expect(new Set(stream.filter((l) => l.type === 'management').map((l) => l.id))).toEqual(expected)
      // In order: the key changes, then the activity batch as recorded, then the revocation.
      const position = (match: (l: Line) => boolean) => stream.findIndex(match)
      const activity = stream.filter((l) => l.type === 'activity')
      expect(activity.map((l) => l.requestId)).toEqual(Array.from({ length: 20 }, (_, i) => `r-${i}`))
      const created = position((l) => l.action === 'key.created' && l.targetId === keys[1]?.id)
      const firstActivity = position((l) => l.type === 'activity')
      const revocation = position((l) => l.action === 'key.revoked' && l.targetId === revoked.id)
      expect(created).toBeLessThan(firstActivity)
      expect(firstActivity + 20).toBe(revocation)
      for (const request of receiver.received) {
        expect(request.method).toBe('POST')
        expect(request.headers['content-type']).toBe('application/x-ndjson')
        expect(request.headers['x-devtune-event']).toBe('audit.batch')
        expect(request.headers['x-devtune-signature']).toBe(hmacHex(secret, request.body))
      }
      expect(receiver.received.length).toBeGreaterThan(accepted.length) // refusals happened, and were retried

      const third = await keywardOn(database, {})
      expect(await third.storage.auditOutbox.count()).toBe(0)
      // Each activity line carries the id its row is stored (and exported) under.
      const stored = await third.database.db
        .selectFrom('activity')
        .select(['id', 'request_id'])
        .orderBy('id')
        .execute()
      expect(activity.map((l) => [l.id, l.requestId])).toEqual(stored.map((r) => [r.id, r.request_id]))
      await third.close()
    })

    it('writes nothing to the outbox when streaming is not configured', async () => {
      const database = await makeDatabase()
      const keyward = await keywardOn(database, {})
      const account = await keyward.services.accounts.create(operator, { name: 'Quiet', plan: 'pro' })
      keyward.activity.record({ ...keylessRequest, at: Date.now(), accountId: account.id })
      await keyward.activity.flush()
      expect(keyward.auditStreamer).toBeUndefined()
      expect(await keyward.storage.auditOutbox.count()).toBe(0)
      await keyward.close()
    })
  },
)

it('fills the outbox on an in-memory SQLite database too (its own insert path), one line per row and event', async () => {
  const keyward = await composeKeyward(loadConfig(streamEnv('http://127.0.0.1:9/in')), {
    database: await sqliteDatabase.open(),
  })
  const account = await keyward.services.accounts.create(operator, { name: 'Memory', plan: 'pro' })
  for (let i = 0; i < 450; i++)
    keyward.activity.record({ ...keylessRequest, at: Date.now(), accountId: account.id })
  await keyward.activity.flush() // 450 rows: three slices of the in-memory path
  const lines = (await keyward.storage.auditOutbox.next(1000)).map((l) => JSON.parse(l.line) as Line)
  expect(lines.filter((l) => l.type === 'activity')).toHaveLength(450)
  const stored = await keyward.database.db.selectFrom('activity').select('id').orderBy('id').execute()
  expect(lines.filter((l) => l.type === 'activity').map((l) => l.id)).toEqual(stored.map((r) => r.id))
  expect(lines.filter((l) => l.type === 'management').map((l) => l.action)).toEqual(['account.created'])
  await keyward.close()
})

describe('audit stream configuration', () => {
  const env = (over: Record<string, string>) => () =>
    loadConfig({
      KEYWARD_AUDIT_STREAM_URL: 'https://siem.example.com/in',
      KEYWARD_AUDIT_STREAM_SECRET: secret,
      ...over,
    })
  it.each([
    [{ KEYWARD_AUDIT_STREAM_URL: 'http://siem.example.com/in' }, 'must be an https URL'],
    [{ KEYWARD_AUDIT_STREAM_URL: 'https://10.0.0.5/in' }, 'must name a public host, got 10.0.0.5'],
    [{ KEYWARD_AUDIT_STREAM_URL: 'https://localhost/in' }, 'must name a public host'],
    [{ KEYWARD_AUDIT_STREAM_URL: 'https://u:p@siem.example.com/' }, 'without credentials'],
    [{ KEYWARD_AUDIT_STREAM_SECRET: 'short' }, 'at least 16 characters'],
    [{ KEYWARD_AUDIT_STREAM_URL: '' }, 'without KEYWARD_AUDIT_STREAM_URL'],
  ])('refuses %j', (over, message) => {
    expect(env(over)).toThrow(message)
  })

  it('takes https to a public host, and http to a local receiver only with the development switch', () => {
    expect(env({})().auditStream).toEqual({ url: 'https://siem.example.com/in', secret })
    expect(
      env({ KEYWARD_AUDIT_STREAM_URL: 'http://127.0.0.1:9/in', KEYWARD_ALLOW_HTTP_WEBHOOKS: '1' })()
        .auditStream?.url,
    ).toBe('http://127.0.0.1:9/in')
    expect(loadConfig({}).auditStream).toBeUndefined()
  })
})
