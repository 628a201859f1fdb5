/**
 * Analytics at scale: one project with 1,000,000 tracking runs (400 days × 5 platforms × 500 prompts) and their
 * citations, then the real app (buildApp) on loopback under autocannon (10 connections, 5 s after 1 s of warm-up,
 * in one worker thread) against `visibility/summary` and `citations/top-pages` with windowDays 30 and 90, on SQLite
 * and, if BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set, on a fresh Postgres database it creates and drops.
 * Prints Markdown. `BENCH_ANALYTICS_ONLY=sqlite|postgres` runs one of the two. The rows are written with SQL, then the
 * daily rollups (migration 0005) and running page totals (0007) are built from them with the store's
 * `rebuildTrackingRollups`, as a write would.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { cpus, release, tmpdir, totalmem, type } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.ts'
import { platforms } from '../src/core/analytics/model.ts'
import { dayMs, dayOf } from '../src/core/analytics/window.ts'
import { operator } from '../src/core/model.ts'
import type { RateLimiter } from '../src/core/rate-limit.ts'
import { appDeps, composeKeyward, type Keyward } from '../src/main.ts'
import { type OpenDatabase, openDatabase } from '../src/storage/database.ts'
import { rebuildTrackingRollups } from '../src/storage/stores/tracking-rollups.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { autocannon } from './autocannon.ts'
import { seeded } from './seeded.ts'

const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
const only = process.env.BENCH_ANALYTICS_ONLY
const days = 400
const topicCount = 50
const promptsPerTopic = 10
const promptCount = topicCount * promptsPerTopic
const runs = days * platforms.length * promptCount
const connections = 10
const seconds = 5
const batch = 5000

/** The real limiter with a ceiling no run reaches, so that one key's 1,000 a minute does not cap the run. */
function uncapped(limiter: RateLimiter): RateLimiter {
  const ceiling = 1_000_000_000
  return {
    consume: (keyId) => limiter.consume(keyId, ceiling),
    peek: (keyId) => limiter.peek(keyId, ceiling),
  }
}

type ResultRow = [
  string,
  string,
  number,
  string,
  string,
  string,
  number,
  number | null,
  string,
  number,
  number,
]
type CitationRow = [string, string, string, number, string, string, string, string, string, string, number]

const competitorNames = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli']
const otherDomains = [
  'stackoverflow.com',
  'reddit.com',
  'dev.to',
  'medium.com',
  'wikipedia.org',
  'github.com',
]
/** 40 primary pages, 40 competitor pages (5 domains × 8), 420 other pages (6 domains × 70): 500 distinct URLs. */
function citationPool() {
  const primary = Array.from({ length: 40 }, (_, i) => ({
    url: `https://bench.example/docs/page-${i}`,
    domain: 'bench.example',
    title: `Bench docs ${i}`,
    classification: 'primary',
  }))
  const competitor = competitorNames.flatMap((name) =>
    Array.from({ length: 8 }, (_, i) => {
      const domain = `${name.toLowerCase()}.example`
      return {
        url: `https://${domain}/page-${i}`,
        domain,
        title: `${name} ${i}`,
        classification: 'competitor',
      }
    }),
  )
  const other = otherDomains.flatMap((domain) =>
    Array.from({ length: 70 }, (_, i) => ({
      url: `https://${domain}/thread-${i}`,
      domain,
      title: `${domain} ${i}`,
      classification: 'other',
    })),
  )
  return { primary, competitor, other }
}

/** Yields the runs in batches, each with its citations (1 to 4 per run, 2.5 on average). */
function* generate(projectId: string, topicIds: string[], promptIds: string[], today: number) {
  const random = seeded(42)
  const pool = citationPool()
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T
  let results: ResultRow[] = []
  let citations: CitationRow[] = []
  let n = 0
  for (let d = 0; d < days; d++) {
    const day = today - (days - 1 - d) * dayMs
    for (const platform of platforms)
      for (let p = 0; p < promptCount; p++) {
        const id = `r${n++}`
        const topicId = topicIds[Math.floor(p / promptsPerTopic)] ?? ''
        const mentioned = random() < 0.45
        const competitors = competitorNames.filter(() => random() < 0.3)
        results.push([
          id,
          projectId,
          day,
          platform,
          topicId,
          promptIds[p] ?? '',
          mentioned ? 1 : 0,
          mentioned ? 1 + Math.floor(random() * 5) : null,
          JSON.stringify(competitors),
          competitors.length,
          day,
        ])
        for (let k = 1, count = 1 + Math.floor(random() * 4); k <= count; k++) {
          const roll = random()
          const c = pick(
            roll < (mentioned ? 0.45 : 0.15) ? pool.primary : roll < 0.7 ? pool.competitor : pool.other,
          )
          citations.push([
            `${id}:${k}`,
            id,
            projectId,
            day,
            platform,
            topicId,
            c.url,
            c.domain,
            c.title,
            c.classification,
            k,
          ])
        }
        if (results.length === batch) {
          yield { results, citations }
          results = []
          citations = []
        }
      }
  }
  if (results.length) yield { results, citations }
}

const resultColumns =
  'id, project_id, day, platform, topic_id, prompt_id, brand_mentioned, position, competitors, competitor_mentions, created_at'
const citationColumns =
  'id, result_id, project_id, day, platform, topic_id, url, domain, title, classification, rank'

/** Writes the runs straight into the tables: raw prepared statements on SQLite, `unnest` arrays on Postgres. */
async function load(database: OpenDatabase, keyward: Keyward, projectId: string) {
  const today = dayOf(Date.now())
  const topics = Array.from({ length: topicCount }, (_, t) => ({
    id: `topic-${t}`,
    projectId,
    name: `Topic ${String(t).padStart(2, '0')}`,
    createdAt: today - days * dayMs,
  }))
  const prompts = topics.flatMap((topic, t) =>
    Array.from({ length: promptsPerTopic }, (_, i) => ({
      id: `prompt-${t}-${i}`,
      projectId,
      topicId: topic.id,
      text: `Prompt ${t}.${i}`,
      createdAt: topic.createdAt,
    })),
  )
  await keyward.storage.tracking.insertTopics(topics)
  await keyward.storage.tracking.insertPrompts(prompts)
  const rows = generate(
    projectId,
    topics.map((t) => t.id),
    prompts.map((p) => p.id),
    today,
  )
  let citationCount = 0
  const { sqlite } = database
  if (sqlite) {
    const insertResult = sqlite.prepare(
      `insert into tracking_results (${resultColumns}) values (${Array(11).fill('?').join(', ')})`,
    )
    const insertCitation = sqlite.prepare(
      `insert into tracking_citations (${citationColumns}) values (${Array(11).fill('?').join(', ')})`,
    )
    const write = sqlite.transaction((chunk: { results: ResultRow[]; citations: CitationRow[] }) => {
      for (const r of chunk.results) insertResult.run(r)
      for (const c of chunk.citations) insertCitation.run(c)
    })
    for (const chunk of rows) {
      write(chunk)
      citationCount += chunk.citations.length
    }
    // The daily rollups, built by the store's own rebuild (one INSERT … SELECT … GROUP BY per table) in one go.
    await keyward.database.db
      .transaction()
      .execute((trx) => rebuildTrackingRollups(trx, projectId, today - (days - 1) * dayMs, today))
    sqlite.exec('analyze')
  } else {
    const columns = <T extends unknown[]>(list: T[], width: number) =>
      Array.from({ length: width }, (_, i) => list.map((r) => r[i]))
    const resultTypes = [
      'text',
      'text',
      'bigint',
      'text',
      'text',
      'text',
      'int',
      'int',
      'text',
      'int',
      'bigint',
    ]
    const citationTypes = [
      'text',
      'text',
      'text',
      'bigint',
      'text',
      'text',
      'text',
      'text',
      'text',
      'text',
      'int',
    ]
    const unnest = (values: unknown[][], types: string[]) =>
      sql.join(values.map((v, i) => sql`${v}::${sql.raw(types[i] ?? 'text')}[]`))
    for (const chunk of rows) {
      await keyward.database.db.transaction().execute(async (trx) => {
        // A bench-only shortcut: the rows are consistent by construction, so skip the per-row foreign-key triggers.
        await sql`set local session_replication_role = replica`.execute(trx)
        await sql`insert into tracking_results (${sql.raw(resultColumns)})
          select * from unnest(${unnest(columns(chunk.results, 11), resultTypes)})`.execute(trx)
        await sql`insert into tracking_citations (${sql.raw(citationColumns)})
          select * from unnest(${unnest(columns(chunk.citations, 11), citationTypes)})`.execute(trx)
      })
      citationCount += chunk.citations.length
    }
    await keyward.database.db
      .transaction()
      .execute((trx) => rebuildTrackingRollups(trx, projectId, today - (days - 1) * dayMs, today))
    // What autovacuum would do by itself after a bulk load: statistics, and the visibility map for index-only scans.
    const tables = ['tracking_results', 'tracking_citations', 'tracking_daily', 'tracking_day_totals']
    for (const table of [...tables, 'tracking_page_daily', 'tracking_pages', 'tracking_page_running'])
      await sql`vacuum analyze ${sql.id(table)}`.execute(keyward.database.db)
  }
  return citationCount
}

interface Row {
  database: string
  scenario: string
  rps: number
  p50: number
  p99: number
  refused: number
}

async function run(
  label: string,
  database: OpenDatabase,
): Promise<{ rows: Row[]; citations: number; load: number }> {
  const keyward = await composeKeyward(loadConfig({ LOG_LEVEL: 'warn' }), { database })
  const app = await buildApp({ ...appDeps(keyward), rateLimiter: uncapped(keyward.rateLimiter) })
  try {
    const account = await keyward.services.accounts.create(operator, { name: 'Bench', plan: 'enterprise' })
    const project = await keyward.services.projects.create(operator, { accountId: account.id, name: 'Bench' })
    const { key } = await keyward.services.keys.create(operator, { projectId: project.id, name: 'bench' })
    console.error(`${label}: writing ${runs.toLocaleString('en')} tracking runs…`)
    const started = performance.now()
    const citations = await load(database, keyward, project.id)
    const loadSeconds = (performance.now() - started) / 1000
    console.error(`${label}: ${citations.toLocaleString('en')} citations, ${loadSeconds.toFixed(1)} s`)
    await app.listen({ host: '127.0.0.1', port: 0 })
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const base = `/api/v2/projects/${project.id}`
    const rows: Row[] = []
    for (const windowDays of [30, 90])
      for (const endpoint of ['visibility/summary', 'citations/top-pages']) {
        const path = `${base}/${endpoint}?windowDays=${windowDays}`
        const check = await fetch(url + path, { headers: { authorization: `Bearer ${key}` } })
        if (check.status !== 200) throw new Error(`${path}: ${check.status} ${await check.text()}`)
        await keyward.activity.flush()
        console.error(`${label}: ${endpoint} windowDays=${windowDays}…`)
        const result = await autocannon({
          url,
          connections,
          duration: seconds,
          workers: 1,
          requests: [{ method: 'GET', path, headers: { authorization: `Bearer ${key}` } }],
          warmup: { connections, duration: 1 },
        })
        rows.push({
          database: label,
          scenario: `GET …/${endpoint}?windowDays=${windowDays}`,
          rps: Math.round(result.requests.average),
          p50: result.latency.p50,
          p99: result.latency.p99,
          refused: result.non2xx + result.errors + result.timeouts,
        })
      }
    return { rows, citations, load: loadSeconds }
  } finally {
    await app.close()
    await keyward.close()
  }
}

async function main() {
  const all: Row[] = []
  const loads: string[] = []
  if (only !== 'postgres') {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-analytics-'))
    try {
      const result = await run('SQLite', openDatabase(join(dir, 'bench.db')))
      all.push(...result.rows)
      loads.push(
        `SQLite: ${result.citations.toLocaleString('en')} citation rows, written in ${result.load.toFixed(0)} s`,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  if (only !== 'sqlite') {
    if (!postgresUrl) console.error('Postgres skipped: set BENCH_DATABASE_URL (or TEST_DATABASE_URL)')
    else {
      const name = `keyward_bench_${randomBytes(4).toString('hex')}`
      const server = openDatabase(postgresUrl)
      await sql`create database ${sql.id(name)}`.execute(server.db)
      const url = new URL(postgresUrl)
      url.pathname = `/${name}`
      try {
        const result = await run('Postgres', openDatabase(url.toString()))
        all.push(...result.rows)
        loads.push(
          `Postgres: ${result.citations.toLocaleString('en')} citation rows, written in ${result.load.toFixed(0)} s`,
        )
      } finally {
        await sql`drop database if exists ${sql.id(name)} with (force)`.execute(server.db)
        await server.close()
      }
    }
  }
  const cpu = cpus()
  console.log(
    `Machine: ${cpu[0]?.model} × ${cpu.length}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${type()} ${release()}, ` +
      `Node ${process.version}. One project: ${runs.toLocaleString('en')} tracking runs (${days} days × ` +
      `${platforms.length} platforms × ${promptCount} prompts in ${topicCount} topics), 1–4 citations per run ` +
      `over 500 distinct URLs. ${loads.join('; ')}. The real app (buildApp) on loopback, one key with an uncapped ` +
      `limiter; autocannon (${connections} connections, ${seconds} s after 1 s of warm-up) in one worker thread.\n`,
  )
  console.log('| database | scenario | req/s | p50 ms | p99 ms |')
  console.log('|---|---|---|---|---|')
  for (const r of all)
    console.log(`| ${r.database} | ${r.scenario} | ${r.rps.toLocaleString('en')} | ${r.p50} | ${r.p99} |`)
  const worst = Math.max(...all.map((r) => r.p99))
  console.log(`\nWorst p99 at ${connections} connections: ${worst} ms (target ≤ 50 ms).`)
  const refused = all.filter((r) => r.refused > 0)
  if (refused.length) {
    console.log(
      `WARNING: non-2xx answers or errors in: ${refused.map((r) => `${r.database} ${r.scenario}`).join(', ')}`,
    )
    process.exitCode = 1
  }
}

await main()
