import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { openDatabase } from '../src/storage/database.ts'
import { keylessRequest } from './support/activity-rows.ts'
import { startUntil } from './support/cli.ts'
import { postgresUrl } from './support/databases.ts'
import { testKeyward } from './support/keyward.ts'

/**
 * The promise: a server killed outright (SIGKILL, an OOM kill, a power cut of the process) loses no Agent Activity
 * row of a request answered more than 1 s before. A slow machine answers fewer requests in a round, which makes the
 * check weaker, never red: what it asserts is a property of every row answered over a second before the kill.
 */
const dir = mkdtempSync(join(tmpdir(), 'keyward-kill-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const servers: Array<ReturnType<typeof startUntil>> = []
afterEach(async () => {
  vi.useRealTimers()
  // A server that a failed assertion left running.
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      process.kill(-(server.child.pid as number), 'SIGKILL')
      await server.exited
    }
  }
})

type Server = ReturnType<typeof startUntil> & { url: string; demoKey?: { key: string; projectId: string } }

async function startServer(env: Record<string, string>, demo: boolean): Promise<Server> {
  const args = ['bin/keyward.js', 'serve', '--json', ...(demo ? ['--demo'] : [])]
  const server = startUntil(process.execPath, args, env, /^\{.*"url".*\}$/)
  servers.push(server)
  const started = JSON.parse((await server.matched)[0])
  return { ...server, url: started.url, demoKey: started.demo?.key ?? undefined }
}

/**
 * Keyed requests from 8 clients from the moment the server listens, each with a user agent of its own; SIGKILL
 * `holdMs` after the first answer. Returns when each request was answered, and when the kill was sent.
 */
async function loadThenKill(
  server: Server,
  key: { key: string; projectId: string },
  tag: string,
  holdMs: number,
) {
  const answered: Array<{ userAgent: string; at: number }> = []
  let firstAnswer: () => void = () => {}
  const answeredOnce = new Promise<void>((resolve) => {
    firstAnswer = resolve
  })
  let sent = 0
  let killed = false
  const client = async () => {
    while (!killed) {
      const userAgent = `kill-${tag}-${sent++}`
      const response = await fetch(`${server.url}/api/v2/projects/${key.projectId}/webhooks`, {
        headers: { authorization: `Bearer ${key.key}`, 'user-agent': userAgent },
      }).catch(() => undefined)
      if (!response) return // the server is gone
      await response.arrayBuffer()
      expect([200, 429]).toContain(response.status)
      answered.push({ userAgent, at: performance.now() })
      firstAnswer()
    }
  }
  const clients = Array.from({ length: 8 }, client)
  await answeredOnce
  await new Promise((resolve) => setTimeout(resolve, holdMs))
  const killAt = performance.now()
  killed = true
  process.kill(-(server.child.pid as number), 'SIGKILL')
  await server.exited
  await Promise.all(clients)
  return { answered, killAt }
}

/** Every request answered more than 1 s before the kill has its row; there was at least one such request. */
async function expectRowsKept(
  databaseUrl: string,
  tag: string,
  round: Awaited<ReturnType<typeof loadThenKill>>,
) {
  const database = openDatabase(databaseUrl)
  try {
    const rows = await database.db
      .selectFrom('activity')
      .select('user_agent')
      .where('user_agent', 'like', `kill-${tag}-%`)
      .execute()
    const stored = new Set(rows.map((row) => row.user_agent))
    const settled = round.answered.filter((request) => round.killAt - request.at > 1000)
    expect(settled.length).toBeGreaterThan(0)
    expect(settled.filter((request) => !stored.has(request.userAgent))).toEqual([])
  } finally {
    await database.close()
  }
}

describe('activity rows after a kill -9', () => {
  it('are handed to the store within 250 ms of the response, leaving most of the second for the write', async () => {
    const keyward = await testKeyward()
    try {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
      keyward.activity.start()
      keyward.activity.record({ ...keylessRequest, at: Date.now() })
      await vi.advanceTimersByTimeAsync(250)
      expect(await keyward.database.db.selectFrom('activity').select('id').execute()).toHaveLength(1)
    } finally {
      await keyward.close()
    }
  })

  it('on SQLite: none answered over 1 s before is lost, right after a demo start-up or after a restart', async () => {
    const file = join(dir, 'keyward.db')
    const env = { DATABASE_URL: file, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }
    const first = await startServer(env, true)
    // The demo's 29 MB were folded into the file before listening, not left to the first activity commit.
    expect(statSync(`${file}-wal`).size).toBeLessThan(1000 * 4096)
    const key = first.demoKey
    if (!key) throw new Error('no demo key printed')
    await expectRowsKept(file, 'start', await loadThenKill(first, key, 'start', 1200))

    const restarted = await startServer(env, false)
    await expectRowsKept(file, 'restart', await loadThenKill(restarted, key, 'restart', 2500))
  }, 90_000)

  it.skipIf(!postgresUrl)(
    'on Postgres: none answered over 1 s before is lost, right after start-up',
    async () => {
      const name = `keyward_kill_${randomBytes(4).toString('hex')}`
      const admin = openDatabase(postgresUrl as string)
      await sql`create database ${sql.id(name)}`.execute(admin.db)
      const url = new URL(postgresUrl as string)
      url.pathname = `/${name}`
      const env = { DATABASE_URL: url.toString(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }
      try {
        const first = await startServer(env, true)
        const key = first.demoKey
        if (!key) throw new Error('no demo key printed')
        await expectRowsKept(env.DATABASE_URL, 'start', await loadThenKill(first, key, 'start', 1200))
        const restarted = await startServer(env, false)
        await expectRowsKept(env.DATABASE_URL, 'restart', await loadThenKill(restarted, key, 'restart', 2500))
      } finally {
        await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin.db)
        await admin.close()
      }
    },
    90_000,
  )
})
