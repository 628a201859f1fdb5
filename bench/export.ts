/**
 * Memory of `keyward activity export` as the account grows: one account on a SQLite file, filled to each size in
 * EXPORT_ROWS (default 0,100000,1000000,10000000; cumulative), and at each size the CLI exports every row to
 * /dev/null as NDJSON and as CSV under `/usr/bin/time`, which reports the process's peak RSS, wall time and CPU time,
 * then as NDJSON again with V8's heap capped at 64 MB: an export that held its rows could not finish under the cap.
 * Peak RSS alone says little, as V8 lets a heap grow before it collects; the capped run is the proof of bounded memory.
 * Rows are written straight into activity_log (the export reads nothing else), 50,000 to a transaction.
 * Prints Markdown.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/config.ts'
import { activityReasons } from '../src/core/activity-reason.ts'
import { operator } from '../src/core/model.ts'
import { composeKeyward } from '../src/main.ts'
import { ActivityIds } from '../src/storage/activity-codec.js'
import { sqliteActivityInserter } from '../src/storage/activity-sqlite.js'

const sizes = (process.env.EXPORT_ROWS ?? '0,100000,1000000,10000000').split(',').map(Number)
const dir = mkdtempSync(join(tmpdir(), 'keyward-export-bench-'))
const path = join(dir, 'keyward.db')
const env = { ...process.env, DATABASE_URL: path }

const keyward = await composeKeyward(loadConfig({ DATABASE_URL: path }))
const account = await keyward.services.accounts.create(operator, { name: 'Busy', plan: 'enterprise' })
const project = await keyward.services.projects.create(operator, { accountId: account.id, name: 'API' })
const key = await keyward.services.keys.create(operator, { projectId: project.id, name: 'agent' })
await keyward.close()

// A connection of our own, so that the server's writer thread is not involved in loading.
const { default: SQLite } = await import('better-sqlite3')
const sqlite = new SQLite(path)
sqlite.pragma('journal_mode = WAL')
sqlite.pragma('synchronous = OFF')
const inserter = sqliteActivityInserter(sqlite, activityReasons)
const ids = new ActivityIds()
const now = Date.now()
let loaded = 0
const load = sqlite.transaction((from: number, to: number) => {
  for (let i = from; i < to; i++) {
    inserter.insert({
      id: ids.idFor(now - i * 100).toString(),
      at: now - i * 100, // 10 rows a second, back from now: 10 M rows span 11.6 days
      account_id: account.id,
      project_id: project.id,
      key_id: key.id,
      method: i % 10 === 0 ? 'MCP' : 'GET',
      route: i % 10 === 0 ? 'devtune_list_webhooks' : '/projects/:projectId/visibility/summary',
      path: `/api/v2/projects/${project.id}/visibility/summary`,
      status: i % 13 === 0 ? 403 : 200,
      scope: 'visibility.read',
      latency_ms: 1 + (i % 37) / 10,
      error_code: i % 13 === 0 ? 'forbidden' : null,
      rate_limited: 0,
      reason: i % 13 === 0 ? 'missing_scope' : null,
      requested_project_id: null,
      request_id: `req-${i}`,
      rpc_id: i % 10 === 0 ? String(i) : null,
      client_ip: '203.0.113.9',
      user_agent: 'python-httpx/0.27, "agent" v1',
    })
  }
})

/** `heapMb`: V8's old space capped there; an export that held its rows would die of it ("heap out of memory"). */
function exportOnce(format: string, heapMb?: number) {
  // %M: peak RSS in KB; %e wall seconds; %U/%S user/system CPU seconds.
  const { stderr: report, status } = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M %e %U %S',
      'sh',
      '-c',
      `exec node bin/keyward.js activity export --account ${account.id} --format ${format} > /dev/null`,
    ],
    {
      env: heapMb ? { ...env, NODE_OPTIONS: `--max-old-space-size=${heapMb}` } : env,
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  if (status !== 0) throw new Error(`export failed: ${report}`)
  const [rssKb, wall, user, system] = report.trim().split(/\s+/).slice(-4).map(Number) as number[]
  return { rssMb: (rssKb as number) / 1024, wall: wall as number, cpu: (user as number) + (system as number) }
}

const lines = [
  `Load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')}`,
  '',
  '| rows | DB file | format | peak RSS | wall | CPU | CPU µs per row |',
  '|---:|---:|---|---:|---:|---:|---:|',
]
for (const size of sizes) {
  for (let from = loaded; from < size; from += 50_000) load(from, Math.min(size, from + 50_000))
  loaded = Math.max(loaded, size)
  sqlite.pragma('wal_checkpoint(TRUNCATE)')
  const fileMb = statSync(path).size / 1024 / 1024
  for (const [format, heapMb] of [['ndjson'], ['csv'], ['ndjson', 64]] as Array<[string, number?]>) {
    const { rssMb, wall, cpu } = exportOnce(format, heapMb)
    const perRow = size ? ((cpu * 1e6) / size).toFixed(1) : '–'
    const label = heapMb ? `${format}, heap ≤ ${heapMb} MB` : format
    const line = `| ${size.toLocaleString('en')} | ${fileMb.toFixed(0)} MB | ${label} | ${rssMb.toFixed(0)} MB | ${wall.toFixed(1)} s | ${cpu.toFixed(1)} s | ${perRow} |`
    lines.push(line)
    process.stderr.write(`${line}\n`)
  }
}
sqlite.close()
rmSync(dir, { recursive: true, force: true })
process.stdout.write(`${lines.join('\n')}\n`)
