/**
 * Agent Activity at volume: one account with ACTIVITY_ROWS rows (default 10,000,000) over 30 days, spread over 20
 * keys of 2 projects (one key takes half), about 8 % 4xx and 1 % 429, then every query the page makes, through the
 * dashboard's read use-cases (as the dashboard API calls them): the list with each filter, a second page, one row's
 * detail, the requests-over-time chart (the account, one key, and filters only raw rows can answer), per-key usage
 * and the key drawer's Usage tab. Each query runs 100 times, 10 at a time (10 callers, as 10 dashboard requests in
 * flight; Postgres's pool has 10 connections, SQLite's server has its one), after two warm-ups: p50 and p99. Rows are
 * written by the store the server uses (with its rollups), in batches of 10,000; then bytes per row on disk. On a
 * SQLite file in a temporary folder; Postgres too when BENCH_DATABASE_URL is set (a fresh schema, dropped afterwards).
 * BENCH_ONLY=sqlite|postgres runs one. Prints Markdown.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.ts'
import type { ActivityEntry } from '../src/core/activity.ts'
import { type Actor, operator } from '../src/core/model.ts'
import { composeKeyward, type Keyward } from '../src/main.ts'
import { openDatabase } from '../src/storage/database.ts'
import { activityBytes } from './activity-size.ts'
import { seeded } from './seeded.ts'

const rowCount = Number(process.env.ACTIVITY_ROWS ?? 10_000_000)
const only = process.env.BENCH_ONLY
const postgresUrl = process.env.BENCH_DATABASE_URL
const day = 86_400_000
const batch = 10_000
const runs = 100
const callers = 10

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] as number

/** 100 runs, 10 callers at a time, after two warm-ups: each run's time from its start to its answer. */
async function timed(run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  await run()
  await run()
  const times: number[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next++ < runs) {
        const started = performance.now()
        await run()
        times.push(performance.now() - started)
      }
    }),
  )
  return { p50: percentile(times, 50), p99: percentile(times, 99) }
}

async function load(keyward: Keyward, now: number) {
  const account = await keyward.services.accounts.create(operator, { name: 'Busy', plan: 'enterprise' })
  const projects = await Promise.all(
    ['API', 'Agents'].map((name) =>
      keyward.services.projects.create(operator, { accountId: account.id, name }),
    ),
  )
  const keys = []
  for (let i = 0; i < 20; i++) {
    const project = projects[i % 2] as (typeof projects)[0]
    const created = await keyward.services.keys.create(operator, { projectId: project.id, name: `key ${i}` })
    keys.push({ id: created.id, projectId: project.id })
  }
  const random = seeded(42)
  const routes = [
    '/projects/:projectId/webhooks',
    '/projects/:projectId/visibility/summary',
    'devtune_list_webhooks',
  ]
  const started = performance.now()
  for (let written = 0; written < rowCount; written += batch) {
    const rows: ActivityEntry[] = []
    for (let i = 0; i < Math.min(batch, rowCount - written); i++) {
      const n = written + i
      const key = (random() < 0.5 ? keys[0] : keys[1 + Math.floor(random() * 19)]) as (typeof keys)[0]
      const draw = random()
      const status = draw < 0.01 ? 429 : draw < 0.09 ? 403 : draw < 0.092 ? 500 : 200
      const at = now - 30 * day + Math.floor((n / rowCount) * 30 * day)
      const route = routes[n % 3] as string
      rows.push({
        id: '',
        at,
        accountId: account.id,
        projectId: key.projectId,
        keyId: key.id,
        method: route.startsWith('devtune') ? 'MCP' : 'GET',
        route,
        path: route.startsWith('devtune')
          ? '/api/mcp'
          : `/api/v2${route.replace(':projectId', key.projectId)}`,
        status,
        scope: 'webhooks.read',
        latencyMs: Math.round(random() * 2000) / 100,
        errorCode: status === 200 ? null : status === 429 ? 'rate_limit_exceeded' : 'forbidden',
        rateLimited: status === 429,
        reason: status === 429 ? 'rate_limited' : status === 403 ? 'missing_scope' : null,
        requestedProjectId: null,
        requestId: randomUUID(),
        rpcId: route.startsWith('devtune') ? String(n % 20) : null,
        clientIp: '203.0.113.7',
        userAgent: 'bench/1.0',
      })
    }
    await keyward.storage.activity.insertMany(rows)
    if (written % 1_000_000 === 0) console.error(`${written.toLocaleString('en')} rows`)
  }
  return { account, keys, loadSeconds: (performance.now() - started) / 1000 }
}

async function measure(name: string, keyward: Keyward, now: number): Promise<string[]> {
  const { account, keys, loadSeconds } = await load(keyward, now)
  const { rows, bytes } = await activityBytes(keyward)
  const [busiest, quiet] = keys
  if (!busiest || !quiet) throw new Error('no keys')
  const actor: Actor = operator
  const q = keyward.queries
  const month = { accountId: account.id, from: now - 30 * day, to: now }
  const today = { accountId: account.id, from: now - day, to: now, limit: 50 }
  const page = await q.activity(actor, { ...month, limit: 50 })
  const detailId = page.rows[7]?.id as string
  const cases: [string, () => Promise<unknown>][] = [
    ['rows: newest page, last 24 h', () => q.activity(actor, today)],
    [
      'rows: one key, 4xx, last 24 h',
      () => q.activity(actor, { ...today, keyId: busiest.id, statusClass: '4xx' }),
    ],
    ['rows: a quiet key, last 24 h', () => q.activity(actor, { ...today, keyId: quiet.id })],
    [
      'rows: one project, 30 days',
      () => q.activity(actor, { ...month, limit: 50, projectId: busiest.projectId }),
    ],
    [
      'rows: one tool, 30 days',
      () => q.activity(actor, { ...month, limit: 50, route: 'devtune_list_webhooks' }),
    ],
    ['rows: status 500, 30 days', () => q.activity(actor, { ...month, limit: 50, status: 500 })],
    ['rows: 429s, 30 days', () => q.activity(actor, { ...month, limit: 50, statusClass: '429' })],
    [
      'rows: reason missing_scope, 30 days',
      () => q.activity(actor, { ...month, limit: 50, reason: 'missing_scope' }),
    ],
    [
      'rows: second page (cursor)',
      () => q.activity(actor, { ...month, limit: 50, before: page.nextBefore ?? undefined }),
    ],
    ['one row (detail)', () => q.activityDetail(actor, { accountId: account.id, activityId: detailId })],
    ['requests-over-time chart, 30 days', () => q.activitySeries(actor, month)],
    ['the same chart for one key', () => q.activitySeries(actor, { ...month, keyId: busiest.id })],
    [
      'chart, 30 days, one tool (raw rows)',
      () => q.activitySeries(actor, { ...month, route: 'devtune_list_webhooks' }),
    ],
    ['chart, 30 days, status 500 (raw rows)', () => q.activitySeries(actor, { ...month, status: 500 })],
    [
      'chart, last 24 h, one key',
      () => q.activitySeries(actor, { ...month, from: now - day, keyId: busiest.id }),
    ],
    ['per-key usage, 30 days', () => q.keyUsage(actor, { accountId: account.id })],
    ["key drawer's Usage tab, busiest key", () => q.keyUsageDetails(actor, { keyId: busiest.id })],
    ["key drawer's Usage tab, a quiet key", () => q.keyUsageDetails(actor, { keyId: quiet.id })],
  ]
  const lines = [
    `${name}: ${rowCount.toLocaleString('en')} rows loaded in ${loadSeconds.toFixed(0)} s; ${(bytes / rows).toFixed(1)} bytes a row on disk (${(bytes / 1e6).toFixed(0)} MB for ${rows.toLocaleString('en')} rows, table and indexes); load average ${loadavg()[0]?.toFixed(1)}`,
    '',
    '| Agent Activity query | p50 | p99 |',
    '|---|---|---|',
  ]
  for (const [label, run] of cases) {
    const { p50, p99 } = await timed(run)
    lines.push(`| ${label} | ${p50.toFixed(1)} ms | ${p99.toFixed(1)} ms |`)
    console.error(lines.at(-1))
  }
  return lines
}

async function main() {
  const now = Date.now()
  const out: string[] = []
  const folder = mkdtempSync(join(tmpdir(), 'keyward-activity-'))
  if (only !== 'postgres')
    try {
      const keyward = await composeKeyward(loadConfig({ DATABASE_URL: join(folder, 'bench.db') }))
      out.push(...(await measure('SQLite file', keyward, now)))
      await keyward.close()
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  if (postgresUrl && only !== 'sqlite') {
    const schema = `kw_bench_${randomBytes(4).toString('hex')}`
    const admin = openDatabase(postgresUrl)
    await sql`create schema ${sql.id(schema)}`.execute(admin.db)
    try {
      const url = new URL(postgresUrl)
      url.searchParams.set('options', `-c search_path=${schema}`)
      const keyward = await composeKeyward(loadConfig({ DATABASE_URL: url.toString() }))
      out.push('', ...(await measure('PostgreSQL', keyward, now)))
      await keyward.close()
    } finally {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db)
      await admin.close()
    }
  }
  console.log(out.join('\n'))
}

await main()
