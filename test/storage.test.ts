import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { hashKey } from '../src/core/key-format.ts'
import { operator } from '../src/core/model.ts'
import { composeKeyward, type Keyward } from '../src/main.ts'
import { migrateToLatest } from '../src/storage/database.ts'
import { insertActivityRows } from './support/activity-rows.ts'
import { postgresUrl, testDatabases } from './support/databases.ts'
import { teamWithProject, testClock } from './support/keyward.ts'

/** Every value of every row of every table, as one string to search. */
/** The tables of this database's own schema (on Postgres, introspection lists every schema's, other tests' too). */
async function ownTables(keyward: Keyward) {
  const db = keyward.database.db
  const current =
    keyward.database.kind === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined
  return (await db.introspection.getTables()).filter((t) => current === undefined || t.schema === current)
}

async function dumpEverything(keyward: Keyward): Promise<string> {
  const tables = await ownTables(keyward)
  const dumps = []
  for (const table of tables) {
    const rows = await sql`select * from ${sql.table(table.name)}`.execute(keyward.database.db)
    dumps.push(JSON.stringify(rows.rows))
  }
  return dumps.join('\n')
}

describe.each(testDatabases)('storage on $name', (database) => {
  let keyward: Keyward
  const clock = testClock(Date.UTC(2026, 5, 1, 12))
  beforeAll(async () => {
    keyward = await composeKeyward(loadConfig({}), { database: await database.open(), clock })
  })
  afterAll(() => keyward.close())

  it('migrates once; running the migrations again changes nothing', async () => {
    expect(await migrateToLatest(keyward.database.db)).toEqual([])
    const names = (await ownTables(keyward)).map((t) => t.name)
    for (const table of ['users', 'accounts', 'memberships', 'projects', 'api_keys', 'management_events']) {
      expect(names).toContain(table)
    }
  })

  it('round-trips accounts, members, projects and keys with instants as epoch milliseconds', async () => {
    const { account, project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(owner, {
      projectId: project.id,
      name: 'k',
      expires: '1y',
      scopes: ['tests.read'],
    })
    expect(await keyward.storage.accounts.findById(account.id)).toEqual(account)
    expect(await keyward.storage.accounts.findBySlug(account.slug)).toEqual(account)
    expect(await keyward.storage.accounts.listForUser(owner.userId)).toEqual([{ ...account, role: 'owner' }])
    expect(await keyward.storage.projects.findById(project.id)).toEqual(project)
    const { key: _raw, ...stored } = key
    expect(await keyward.storage.keys.findById(key.id)).toEqual(stored)
    const row = await keyward.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      created_at: clock(),
      expires_at: clock() + 365 * 86_400_000,
      key_hash: hashKey(key.key),
    })
    expect(typeof row.created_at).toBe('number')
    expect(await keyward.storage.keys.findAuthRecord(hashKey(key.key))).toMatchObject({
      id: key.id,
      plan: 'pro',
    })
    expect(await keyward.storage.keys.findAuthRecord(hashKey('nope'))).toBeUndefined()
  })

  it('revokes a key once, and never moves last_used_at backwards', async () => {
    const { project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })
    await keyward.storage.keys.recordLastUsed(new Map([[key.id, 2_000]]))
    await keyward.storage.keys.recordLastUsed(new Map([[key.id, 1_000]]))
    expect((await keyward.storage.keys.findById(key.id))?.lastUsedAt).toBe(2_000)
    expect(await keyward.storage.keys.revoke(key.id, 3_000, owner.userId)).toBe(true)
    expect(await keyward.storage.keys.revoke(key.id, 4_000, null)).toBe(false)
    expect(await keyward.storage.keys.findById(key.id)).toMatchObject({
      revokedAt: 3_000,
      revokedBy: owner.userId,
    })
  })

  it('keeps the first exposure of a key, and lets one claim of a leak report win', async () => {
    const { project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'leaky' })
    expect(await keyward.storage.keys.findByHashes([hashKey(key.key), hashKey('nope')])).toEqual([
      { keyHash: hashKey(key.key), id: key.id, accountId: key.accountId, expiresAt: null, revokedAt: null },
    ])
    expect(await keyward.storage.keys.markExposed(key.id, 5_000, 'https://github.com/a')).toBe(true)
    expect(await keyward.storage.keys.markExposed(key.id, 6_000, 'https://github.com/b')).toBe(false)
    expect(await keyward.storage.keys.findById(key.id)).toMatchObject({
      exposedAt: 5_000,
      exposedUrl: 'https://github.com/a',
    })

    const id = randomUUID()
    const report = { id, keyId: key.id, reporter: 'github-secret-scanning' as const, url: null, source: null }
    await keyward.storage.exposures.insert([
      { ...report, reportedAt: 1, leaseUntil: 0, attempts: 0, response: null, processedAt: null },
    ])
    expect((await keyward.storage.exposures.listDue(10, 10)).map((e) => e.id)).toEqual([id])
    const claims = await Promise.all([
      keyward.storage.exposures.claim(id, 0, 100),
      keyward.storage.exposures.claim(id, 0, 200),
    ])
    expect(claims.filter(Boolean)).toHaveLength(1)
    expect(await keyward.storage.exposures.listDue(50, 10)).toEqual([])
    const lease = claims[0] ? 100 : 200
    expect(await keyward.storage.exposures.complete(id, lease + 1, 60, 'notify')).toBe(false)
    expect(await keyward.storage.exposures.complete(id, lease, 60, 'notify')).toBe(true)
    expect(await keyward.storage.exposures.listDue(1_000, 10)).toEqual([])
    expect(await keyward.storage.exposures.listByKey(key.id)).toEqual([
      { ...report, reportedAt: 1, leaseUntil: lease, attempts: 1, response: 'notify', processedAt: 60 },
    ])
  })

  it('writes last-use times for many keys across several slices', async () => {
    const { project } = await teamWithProject(keyward)
    const ids = Array.from({ length: 600 }, () => randomUUID())
    for (const id of ids) {
      await keyward.storage.keys.insert({
        id,
        projectId: project.id,
        name: 'bulk',
        prefix: 'dtk_live_0000',
        keyHash: hashKey(id),
        scopes: null,
        expiresAt: null,
        createdBy: null,
        createdAt: 1,
      })
    }
    await keyward.storage.keys.recordLastUsed(new Map(ids.map((id, i) => [id, 10_000 + i])))
    const written = await keyward.database.db
      .selectFrom('api_keys')
      .select(['id', 'last_used_at'])
      .where('id', 'in', ids)
      .execute()
    expect(written).toHaveLength(600)
    const byId = new Map(written.map((row) => [row.id, row.last_used_at]))
    expect(ids.every((id, i) => byId.get(id) === 10_000 + i)).toBe(true)
  })

  it('prunes old activity in slices until none is left, and keeps the rest', async () => {
    // A UTC midnight: on Postgres retention drops whole days, so the rows before it are in days that ended.
    const cutoff = 10 * 86_400_000
    // 12,000 old rows take six slices of 2,000 on SQLite, one day's partition on Postgres; 3 recent rows stay.
    await insertActivityRows(keyward.storage.activity, 12_003, (i) =>
      i < 12_000 ? cutoff - 1 - i : cutoff + i,
    )
    expect(await keyward.storage.activity.deleteBefore(cutoff)).toBe(12_000)
    const left = await keyward.database.db.selectFrom('activity').select('at').execute()
    expect(left.map((r) => r.at).sort()).toEqual([cutoff + 12_000, cutoff + 12_001, cutoff + 12_002])
  })

  it('keeps the management events append-only at the database level', async () => {
    const { account } = await teamWithProject(keyward)
    const events = await keyward.storage.events.listByAccount(account.id, 10)
    expect(events.length).toBeGreaterThan(0)
    const db = keyward.database.db
    await expect(db.updateTable('management_events').set({ action: 'forged' }).execute()).rejects.toThrow(
      /append-only/,
    )
    await expect(db.deleteFrom('management_events').execute()).rejects.toThrow(/append-only/)
    expect(await keyward.storage.events.listByAccount(account.id, 10)).toEqual(events)
  })

  it('enforces unique slugs and valid plans and roles in the schema too', async () => {
    const { account } = await teamWithProject(keyward)
    const insert = (slug: string, plan: string) =>
      keyward.database.db
        .insertInto('accounts')
        .values({ id: randomUUID(), name: 'x', slug, plan, created_at: 0 })
        .execute()
    await expect(insert(account.slug, 'pro')).rejects.toThrow()
    await expect(insert(`fresh-${randomUUID()}`, 'gold')).rejects.toThrow()
    await expect(
      keyward.database.db
        .insertInto('memberships')
        .values({ account_id: account.id, user_id: 'nobody', role: 'owner', created_at: 0 })
        .execute(),
    ).rejects.toThrow()
  })

  it('lets the identity library sign users up and in on this schema', async () => {
    const auth = await keyward.getAuth()
    const email = `signin-${randomUUID()}@example.test`
    const user = await keyward.users.createWithPassword({
      email,
      name: 'Sig',
      password: 'a long enough password',
    })
    expect(await keyward.users.findByEmail(email.toUpperCase())).toEqual(user)
    const session = await auth.api.signInEmail({ body: { email, password: 'a long enough password' } })
    expect(session.token).toMatch(/.{20,}/)
    await expect(auth.api.signInEmail({ body: { email, password: 'wrong password!!' } })).rejects.toThrow()
    const stored = await keyward.database.db
      .selectFrom('auth_accounts')
      .select('password')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(stored.password).not.toContain('a long enough password')
  })

  it('stores no raw key anywhere: every table, every column', async () => {
    const { project, owner } = await teamWithProject(keyward)
    const keys = []
    for (let i = 0; i < 5; i++)
      keys.push(await keyward.services.keys.create(owner, { projectId: project.id, name: `k${i}` }))
    await keyward.services.keys.create(operator, { projectId: project.id, name: 'cli' })
    const everything = await dumpEverything(keyward)
    expect(everything).toContain(hashKey(keys[0]?.key ?? '')) // the dump does include key rows
    for (const { key } of keys) {
      expect(everything).not.toContain(key)
      expect(everything).not.toContain(key.slice(9, 9 + 56)) // the random part alone
    }
  })
})

describe('the SQLite file and its WAL', () => {
  it('never contain a raw key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-raw-'))
    const path = join(dir, 'keyward.db')
    try {
      const keyward = await composeKeyward(loadConfig({ DATABASE_URL: path }))
      const { project, owner } = await teamWithProject(keyward)
      const keys = []
      for (let i = 0; i < 20; i++)
        keys.push(await keyward.services.keys.create(owner, { projectId: project.id, name: `k${i}` }))
      const files = ['', '-wal'].map((suffix) => readFileSync(path + suffix).toString('latin1'))
      expect(files[1]?.length).toBeGreaterThan(0) // the WAL holds the recent writes
      const bytes = files.join('')
      expect(bytes).toContain(hashKey(keys[0]?.key ?? ''))
      for (const { key } of keys) expect(bytes).not.toContain(key.slice(9, 9 + 56))
      await keyward.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe.skipIf(!postgresUrl)('migrations on Postgres beside other schemas', () => {
  it("migrate a schema although another schema of the database already has Kysely's tables", async () => {
    const postgres = testDatabases.find((d) => d.name === 'postgres')
    if (!postgres) throw new Error('no Postgres test database')
    // The first holds kysely_migration and kysely_migration_lock; the second must still get its own.
    const first = await postgres.open()
    try {
      const second = await postgres.open()
      try {
        const applied = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(
          second.db,
        )
        expect(applied.rows[0]?.n).toBeGreaterThan(0)
        expect(await migrateToLatest(second.db)).toEqual([])
      } finally {
        await second.close()
      }
    } finally {
      await first.close()
    }
  })
})
