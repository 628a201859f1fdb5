/**
 * Sustained Agent Activity ingest: rows recorded at INGEST_RATE a second (default 50,000) for INGEST_SECONDS (default
 * 20) through the ActivityRecorder and the store the server uses (a SQLite file: the writer thread; Postgres when
 * BENCH_DATABASE_URL is set: a fresh schema), with realistic variety (20 keys, 3 endpoints, 40 client addresses, a
 * fresh UUID request id per row). Reports rows/s written, the recorder's largest buffer (sampled every 50 ms: it must
 * stay bounded, not grow with time), the process's CPU time per row, and bytes per row on disk. Prints Markdown.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.ts'
import type { ActivityEntry } from '../src/core/activity.ts'
import { composeKeyward, type Keyward } from '../src/main.ts'
import { openDatabase } from '../src/storage/database.ts'
import { activityBytes } from './activity-size.ts'

const rate = Number(process.env.INGEST_RATE ?? 50_000)
const seconds = Number(process.env.INGEST_SECONDS ?? 20)
const postgresUrl = process.env.BENCH_DATABASE_URL
const tickMs = 10

function entry(n: number, now: number): Omit<ActivityEntry, 'id'> {
  const key = n % 20
  const route = [
    '/projects/:projectId/webhooks',
    '/projects/:projectId/visibility/summary',
    'devtune_list_webhooks',
  ][n % 3] as string
  const status = n % 100 === 0 ? 429 : n % 12 === 0 ? 403 : 200
  return {
    at: now,
    accountId: 'acc_bench',
    projectId: `prj_${key % 2}`,
    keyId: `key_${key}`,
    method: route.startsWith('devtune') ? 'MCP' : 'GET',
    route,
    path: route.startsWith('devtune')
      ? '/api/mcp'
      : `/api/v2${route.replace(':projectId', `prj_${key % 2}`)}`,
    status,
    scope: 'webhooks.read',
    latencyMs: (n % 2000) / 100,
    errorCode: status === 200 ? null : status === 429 ? 'rate_limit_exceeded' : 'forbidden',
    rateLimited: status === 429,
    reason: status === 429 ? 'rate_limited' : status === 403 ? 'missing_scope' : null,
    requestedProjectId: null,
    requestId: randomUUID(),
    rpcId: route.startsWith('devtune') ? String(n % 50) : null,
    clientIp: `203.0.113.${n % 40}`,
    userAgent: `agent/${key % 4}.0 (bench)`,
  }
}

async function ingest(name: string, keyward: Keyward): Promise<string> {
  const recorder = keyward.activity
  const buffered = () => (Reflect.get(recorder, 'rows') as unknown[]).length
  const before = await activityBytes(keyward)
  recorder.start()
  let recorded = 0
  let maxBuffered = 0
  const samples: number[] = []
  const cpu = process.cpuUsage()
  const started = performance.now()
  const sampler = setInterval(() => {
    const size = buffered()
    samples.push(size)
    maxBuffered = Math.max(maxBuffered, size)
  }, 50)
  // Rows due by now are recorded every 10 ms: the rate holds even when a tick runs late.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - started
      const due = Math.min(Math.floor((elapsed / 1000) * rate), rate * seconds)
      while (recorded < due) recorder.record(entry(recorded++, Date.now()))
      if (recorded >= rate * seconds) {
        clearInterval(tick)
        resolve()
      }
    }, tickMs)
  })
  await recorder.flush()
  const wallSeconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  const used = process.cpuUsage(cpu)
  await recorder.stop()
  const after = await activityBytes(keyward)
  const rows = after.rows - before.rows
  // The buffer's size in the last quarter against the first: steady, not growing.
  const quarter = Math.max(1, Math.floor(samples.length / 4))
  const average = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length))
  return `| ${name} | ${rows.toLocaleString('en')} | ${Math.round(rows / wallSeconds).toLocaleString('en')} | ${maxBuffered.toLocaleString('en')} | ${average(samples.slice(0, quarter))} → ${average(samples.slice(-quarter))} | ${(((used.user + used.system) / rows) * 1).toFixed(1)} | ${Math.round((after.bytes - before.bytes) / rows)} |`
}

async function main() {
  const out = [
    `Recorded at ${rate.toLocaleString('en')} rows/s for ${seconds} s; load average ${(await import('node:os')).loadavg()[0]?.toFixed(1)} at start.`,
    '',
    '| database | rows written | rows/s | largest buffer | mean buffer, first → last quarter | CPU µs/row (this process) | bytes/row |',
    '|---|---|---|---|---|---|---|',
  ]
  const folder = mkdtempSync(join(tmpdir(), 'keyward-ingest-'))
  try {
    const keyward = await composeKeyward(loadConfig({ DATABASE_URL: join(folder, 'bench.db') }))
    out.push(await ingest('SQLite file (writer thread)', keyward))
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
      out.push(await ingest('PostgreSQL (unnest batches, day partitions)', keyward))
      await keyward.close()
    } finally {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db)
      await admin.close()
    }
  }
  console.log(out.join('\n'))
}

await main()
