// kill -9 rounds: which answered keyed requests have an Agent Activity row once the server is killed?
// Usage: npx tsx bench/activity-kill.ts [sqlite|postgres] [rounds] [kill after ms, comma-separated]
// (Postgres: TEST_DATABASE_URL names a server where a fresh database is created per round. KILL_DEMO=1: start with
// `serve --demo` on an empty database instead of a prepared key.) Each round prints one JSON line: requests answered
// before the kill, how many lack a row, how many of those were answered over 1 s before it, and the age of the
// newest stored row. The assertion lives in test/activity-kill.test.ts; this prints the figures.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { composeKeyward } from '../src/main.ts'
import { openDatabase } from '../src/storage/database.ts'

const kind = process.argv[2] ?? 'sqlite'
const rounds = Number(process.argv[3] ?? 5)
const killAfter = (process.argv[4] ?? '1500').split(',').map(Number)
const connections = 16

async function prepare(databaseUrl: string) {
  const keyward = await composeKeyward(loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }))
  const account = await keyward.services.accounts.create(operator, { name: 'Kill', plan: 'enterprise' })
  const project = await keyward.services.projects.create(operator, { accountId: account.id, name: 'P' })
  const { key } = await keyward.services.keys.create(operator, { projectId: project.id, name: 'k' })
  await keyward.close()
  return { projectId: project.id, key }
}

const demo = process.env.KILL_DEMO === '1'

async function round(databaseUrl: string, tag: string, afterMs: number) {
  let { projectId, key } = demo ? { projectId: '', key: '' } : await prepare(databaseUrl)
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, ['bin/keyward.js', 'serve', '--json', ...(demo ? ['--demo'] : [])], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    detached: true,
  })
  child.stderr.pipe(process.stderr)
  const exited = new Promise((resolve) => child.on('exit', resolve))
  const url = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return
      const started = JSON.parse(line)
      if (demo) ({ key, projectId } = started.demo.key)
      resolve(started.url)
    }),
  )
  const readyAt = performance.now()
  const answered: { ua: string; at: number; status: number }[] = []
  let next = 0
  let killed = false
  const loop = async () => {
    while (!killed) {
      const ua = `kill-${tag}-${next++}`
      try {
        const response = await fetch(`${url}/api/v2/projects/${projectId}/webhooks`, {
          headers: { authorization: `Bearer ${key}`, 'user-agent': ua },
        })
        await response.arrayBuffer()
        answered.push({ ua, at: performance.now(), status: response.status })
      } catch {
        return
      }
    }
  }
  const loops = Array.from({ length: connections }, loop)
  await new Promise((resolve) => setTimeout(resolve, afterMs))
  const killAt = performance.now()
  killed = true
  process.kill(-(child.pid as number), 'SIGKILL')
  await exited
  await Promise.all(loops)

  const database = openDatabase(databaseUrl)
  const rows = await database.db
    .selectFrom('activity')
    .select('user_agent')
    .where('user_agent', 'like', `kill-${tag}-%`)
    .execute()
  await database.close()
  const stored = new Set(rows.map((r) => r.user_agent))
  const before = answered.filter((a) => a.at <= killAt)
  const old = before.filter((a) => killAt - a.at > 1000)
  const missingOld = old.filter((a) => !stored.has(a.ua))
  const newestStored = Math.min(...before.filter((a) => stored.has(a.ua)).map((a) => killAt - a.at))
  const oldestMissing = Math.max(0, ...before.filter((a) => !stored.has(a.ua)).map((a) => killAt - a.at))
  return {
    startMs: Math.round(readyAt - spawnedAt),
    killAfterReadyMs: Math.round(killAt - readyAt),
    answered: before.length,
    stored: stored.size,
    lost: before.length - before.filter((a) => stored.has(a.ua)).length,
    answeredOver1s: old.length,
    lostOver1s: missingOld.length,
    newestStoredAgeMs: Number.isFinite(newestStored) ? Math.round(newestStored) : null,
    oldestLostAgeMs: Math.round(oldestMissing),
    statuses: [...new Set(before.map((a) => a.status))],
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-kill-'))
  const admin = process.env.TEST_DATABASE_URL
  try {
    for (let i = 0; i < rounds; i++) {
      const afterMs = killAfter[i % killAfter.length] ?? 1500
      let databaseUrl = join(dir, `round-${i}.db`)
      let name = ''
      if (kind === 'postgres') {
        if (!admin) throw new Error('TEST_DATABASE_URL is not set')
        name = `keyward_kill_${randomBytes(4).toString('hex')}`
        const server = openDatabase(admin)
        await sql`create database ${sql.id(name)}`.execute(server.db)
        await server.close()
        const url = new URL(admin)
        url.pathname = `/${name}`
        databaseUrl = url.toString()
      }
      console.log(JSON.stringify({ kind, round: i, ...(await round(databaseUrl, String(i), afterMs)) }))
      if (name && admin) {
        const server = openDatabase(admin)
        await sql`drop database if exists ${sql.id(name)} with (force)`.execute(server.db)
        await server.close()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
