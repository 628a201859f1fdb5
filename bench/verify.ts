/**
 * verify() on the hot path: warm-cache throughput on one core, and the cold path (a cache miss) with 100,000 keys
 * in SQLite and, when BENCH_DATABASE_URL or TEST_DATABASE_URL names one, in Postgres. Prints a Markdown table.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { systemClock } from '../src/core/clock.ts'
import { createKeyFormat, hashKey } from '../src/core/key-format.ts'
import { KeyVerifier } from '../src/core/verify.ts'
import { migrateToLatest, type OpenDatabase, openDatabase } from '../src/storage/database.ts'
import { createStorage } from '../src/storage/storage.ts'
import { percentiles } from './stats.ts'

const keyCount = 100_000
const coldSamples = 20_000
const warmRounds = 5 // of one second each, alternating baseline and verify so that both see the same noise
const format = createKeyFormat()

async function seed(database: OpenDatabase): Promise<string[]> {
  const storage = createStorage(database.db)
  const accountId = randomUUID()
  const projectId = randomUUID()
  await storage.accounts.insert({
    id: accountId,
    name: 'Bench',
    slug: `bench-${accountId}`,
    plan: 'pro',
    createdAt: 0,
  })
  await storage.projects.insert({ id: projectId, accountId, name: 'Bench', createdAt: 0 })
  const keys: string[] = []
  for (let start = 0; start < keyCount; start += 1000) {
    const rows = []
    for (let i = 0; i < 1000; i++) {
      const key = format.generate()
      keys.push(key)
      rows.push({
        id: randomUUID(),
        project_id: projectId,
        name: `key ${start + i}`,
        prefix: format.displayPrefix(key),
        key_hash: hashKey(key),
        scopes: i % 3 === 0 ? '["visibility.read"]' : null,
        expires_at: null,
        revoked_at: null,
        revoked_by: null,
        created_by: null,
        created_at: Date.now(),
        last_used_at: null,
      })
    }
    await database.db.insertInto('api_keys').values(rows).execute()
  }
  return keys
}

/** Each sample verifies a key never seen before by this verifier: a guaranteed miss and one indexed query. */
async function coldPath(database: OpenDatabase, keys: string[]) {
  const verifier = new KeyVerifier(
    createStorage(database.db).keys,
    format,
    systemClock,
    database.externalChanges,
  )
  const order = keys.slice(0, coldSamples + 1000).sort(() => Math.random() - 0.5)
  const latencies: number[] = []
  for (const [i, key] of order.entries()) {
    const started = performance.now()
    const result = await verifier.verify(key)
    const elapsed = performance.now() - started
    if (!result.ok) throw new Error('seeded key failed to verify')
    if (i >= 1000) latencies.push(elapsed) // the first thousand warm up the JIT and the connection
  }
  return percentiles(latencies)
}

/** Calls per second of `verify` over 1,000 hot keys, for one second. */
async function warmRound(verify: (key: string) => unknown, keys: string[]): Promise<number> {
  const hot = keys.slice(0, 1000)
  for (const key of hot) await verify(key)
  let count = 0
  const started = performance.now()
  while (performance.now() - started < 1000) {
    for (let i = 0; i < 1000; i++) await verify(hot[i] as string)
    count += 1000
  }
  return Math.round(count / ((performance.now() - started) / 1000))
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const range = (xs: number[]) =>
  `${median(xs).toLocaleString('en')} /s (${Math.min(...xs).toLocaleString('en')}–${Math.max(...xs).toLocaleString('en')})`

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-'))
  const rows: string[] = []
  try {
    const sqlite = openDatabase(join(dir, 'bench.db'))
    await migrateToLatest(sqlite.db)
    console.error(`seeding ${keyCount} keys in SQLite…`)
    const keys = await seed(sqlite)
    const verifier = new KeyVerifier(
      createStorage(sqlite.db).keys,
      format,
      systemClock,
      sqlite.externalChanges,
    )
    const floor: number[] = []
    const warm: number[] = []
    for (let round = 0; round < warmRounds; round++) {
      floor.push(await warmRound((key) => hashKey(format.parse(key).ok ? key : ''), keys))
      warm.push(await warmRound((key) => verifier.verify(key), keys))
    }
    rows.push(`| baseline: parse + checksum + SHA-256 only, no cache | ${range(floor)} | | |`)
    rows.push(
      `| verify(), warm cache (SQLite file, data_version polled ≤ once per ms) | ${range(warm)} | | |`,
    )
    const coldSqlite = await coldPath(sqlite, keys)
    rows.push(
      `| verify(), cold (cache miss), SQLite, ${keyCount.toLocaleString('en')} keys | | ${coldSqlite.p50} ms | ${coldSqlite.p99} ms |`,
    )
    await sqlite.close()

    const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
    if (pgUrl) {
      const schema = `kw_bench_${randomBytes(4).toString('hex')}`
      const admin = openDatabase(pgUrl)
      await sql`create schema ${sql.id(schema)}`.execute(admin.db)
      const pg = openDatabase(pgUrl, { schema })
      try {
        await migrateToLatest(pg.db)
        console.error(`seeding ${keyCount} keys in Postgres…`)
        const pgKeys = await seed(pg)
        await sql`analyze api_keys`.execute(pg.db)
        const coldPg = await coldPath(pg, pgKeys)
        rows.push(
          `| verify(), cold (cache miss), Postgres, ${keyCount.toLocaleString('en')} keys | | ${coldPg.p50} ms | ${coldPg.p99} ms |`,
        )
      } finally {
        await pg.close()
        await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db)
        await admin.close()
      }
    } else {
      rows.push('| verify(), cold, Postgres | skipped: set BENCH_DATABASE_URL | | |')
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log(
    `Machine: ${cpus()[0]?.model} × ${cpus().length}, Node ${process.version}, one process (one core)\n`,
  )
  console.log('| measurement | throughput: median of 5 (min–max) | p50 | p99 |')
  console.log('|---|---|---|---|')
  for (const row of rows) console.log(row)
}

await main()
