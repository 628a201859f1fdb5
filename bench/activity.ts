/**
 * Agent Activity at volume: one account with ACTIVITY_ROWS rows (default 3,000,000) over 30 days, spread over 20 keys
 * of 2 projects (one key takes half), about 8 % 4xx and 1 % 429, then the queries the page makes, through the
 * dashboard's read use-cases (as the dashboard API calls them), each timed as the median of 5 runs after one warm-up:
 * the newest page of rows for one key, 4xx, last 24 h; the requests-over-time chart for 30 days, for the account and
 * for one key; per-key usage over 30 days; the key drawer's Usage tab (30 days of one key: days, latency
 * percentiles, top endpoints) for the busiest key and a quiet one. Rows are written by the store the server uses
 * (with its rollups), in batches of 5,000. On a SQLite file in a temporary folder; Postgres too when
 * BENCH_DATABASE_URL is set (a fresh schema, dropped afterwards). Prints Markdown.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.ts'
import type { ActivityEntry } from '../src/core/activity.ts'
import { type Actor, operator } from '../src/core/model.ts'
import { composeKeyward, type Keyward } from '../src/main.ts'
import { openDatabase } from '../src/storage/database.ts'
import { seeded } from './seeded.ts'

const rowCount = Number(process.env.ACTIVITY_ROWS ?? 3_000_000)
const postgresUrl = process.env.BENCH_DATABASE_URL
const day = 86_400_000
const batch = 5_000

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

async function timed(run: () => Promise<unknown>): Promise<number> {
  await run()
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    await run()
    times.push(performance.now() - started)
  }
  return median(times)
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
        id: `${at.toString(16).padStart(12, '0')}${n.toString(16).padStart(20, '0')}`,
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
        requestId: null,
        rpcId: null,
        clientIp: '203.0.113.7',
        userAgent: 'bench/1.0',
      })
    }
    await keyward.storage.activity.insertMany(rows)
  }
  return { account, keys, loadSeconds: (performance.now() - started) / 1000 }
}

async function measure(name: string, keyward: Keyward, now: number): Promise<string[]> {
  const { account, keys, loadSeconds } = await load(keyward, now)
  const [busiest, quiet] = keys
  if (!busiest || !quiet) throw new Error('no keys')
  const actor: Actor = operator
  const q = keyward.queries
  const month = { accountId: account.id, from: now - 30 * day, to: now }
  const cases: [string, () => Promise<unknown>][] = [
    [
      'rows: newest page, one key, 4xx, last 24 h',
      () =>
        q.activity(actor, {
          accountId: account.id,
          keyId: busiest.id,
          statusClass: '4xx',
          from: now - day,
          to: now,
          limit: 50,
        }),
    ],
    ['requests-over-time chart, 30 days', () => q.activitySeries(actor, month)],
    ['the same chart for one key', () => q.activitySeries(actor, { ...month, keyId: busiest.id })],
    ['per-key usage, 30 days', () => q.keyUsage(actor, { accountId: account.id })],
    ["key drawer's Usage tab, busiest key", () => q.keyUsageDetails(actor, { keyId: busiest.id })],
    ["key drawer's Usage tab, a quiet key", () => q.keyUsageDetails(actor, { keyId: quiet.id })],
  ]
  const lines = [
    `${name}: ${rowCount.toLocaleString('en')} rows loaded in ${loadSeconds.toFixed(0)} s`,
    '',
    '| Agent Activity query | median of 5 |',
    '|---|---|',
  ]
  for (const [label, run] of cases) lines.push(`| ${label} | ${(await timed(run)).toFixed(1)} ms |`)
  return lines
}

async function main() {
  const now = Date.now()
  const out: string[] = []
  const folder = mkdtempSync(join(tmpdir(), 'keyward-activity-'))
  try {
    const keyward = await composeKeyward(loadConfig({ DATABASE_URL: join(folder, 'bench.db') }))
    out.push(...(await measure('SQLite file', keyward, now)))
    await keyward.close()
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
  if (postgresUrl) {
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
