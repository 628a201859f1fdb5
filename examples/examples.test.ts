import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { importTrackingResults } from '../src/core/analytics/import.ts'
import { operator } from '../src/core/model.ts'
import type { RateDecision, RateLimiter } from '../src/core/rate-limit.ts'
import { freePort, servedKeyward } from '../test/support/served.ts'

/** Each example runs as an integrator would run it: `node examples/<file>`, against a started Keyward. */
type Served = Awaited<ReturnType<typeof servedKeyward>>
const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A child whose stdout and stderr are read line by line; `next(match)` resolves on the first such line. */
function run(file: string, env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [file], { env: { ...process.env, ...env } })
  const lines: { stdout: string[]; stderr: string[] } = { stdout: [], stderr: [] }
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = []
  for (const stream of ['stdout', 'stderr'] as const) {
    createInterface({ input: child[stream] as NodeJS.ReadableStream }).on('line', (line) => {
      lines[stream].push(line)
      for (const waiter of waiters.filter((w) => w.match(line))) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(line)
      }
    })
  }
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  return {
    child,
    lines,
    exited,
    next: (match: (line: string) => boolean) =>
      new Promise<string>((resolve) => {
        const already = [...lines.stdout, ...lines.stderr].find(match)
        if (already) resolve(already)
        else waiters.push({ match, resolve })
      }),
  }
}

async function serve(options: Parameters<typeof servedKeyward>[0] = {}): Promise<Served> {
  const served = await servedKeyward(options)
  cleanups.push(() => served.close())
  return served
}

describe('examples/webhook-receiver.mjs', () => {
  it('accepts signed deliveries, shows previousMetrics, and refuses a forged one', async () => {
    const served = await serve({ allowHttpWebhooks: true })
    const port = await freePort()
    const created = await fetch(`${served.apiRoot}/projects/${served.projectId}/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${served.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `http://127.0.0.1:${port}/hooks`,
        events: ['search-tracking.completed', 'visibility.changed'],
      }),
    })
    expect(created.status).toBe(201)
    const { secret } = (await created.json()).data
    const receiver = run('examples/webhook-receiver.mjs', { WEBHOOK_SECRET: secret, PORT: String(port) })
    cleanups.push(async () => {
      receiver.child.kill('SIGTERM')
      await receiver.exited
    })
    await receiver.next((line) => line.includes('"listening"'))

    const today = new Date().toISOString().slice(0, 10)
    const results = [
      {
        date: today,
        platform: 'chatgpt',
        topic: 'T',
        prompt: 'p',
        brandMentioned: true,
        position: 1,
        competitors: [],
      },
    ]
    await importTrackingResults(served.keyward, operator, { projectId: served.projectId, file: { results } })
    await served.keyward.webhookDispatcher.runDue()
    const changed = JSON.parse(await receiver.next((line) => line.includes('"event":"visibility.changed"')))
    expect(changed).toMatchObject({ outcome: 'accepted', data: { windowDays: 30 } })
    // The demo project had runs before this import, so there is something to compare with.
    expect(changed.data.previousMetrics).toMatchObject({ totalRuns: expect.any(Number) })
    const completed = JSON.parse(await receiver.next((line) => line.includes('search-tracking.completed')))
    expect(completed).toMatchObject({ outcome: 'accepted', data: { importedResults: 1 } })

    const forged = await fetch(`http://127.0.0.1:${port}/hooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-devtune-signature': 'ab'.repeat(32) },
      body: JSON.stringify({ id: 'x', event: 'visibility.changed', data: {} }),
    })
    expect(forged.status).toBe(401)
    expect(JSON.parse(await receiver.next((line) => line.includes('rejected')))).toEqual({
      outcome: 'rejected',
      reason: 'bad signature',
    })
    expect(receiver.lines.stdout.filter((line) => line.includes('"accepted"'))).toHaveLength(2)
  })
})

/** Refuses every third request for one second, whatever the plan: a 429 without a hundred requests first. */
function everyThirdRefused(): RateLimiter & { refused: number } {
  let seen = 0
  const decide = (allowed: boolean, limit: number): RateDecision => ({
    allowed,
    granted: allowed ? 1 : 0,
    limit,
    remaining: allowed ? limit - 1 : 0,
    resetAt: Math.floor(Date.now() / 1000) + 1,
  })
  return {
    refused: 0,
    async consume(_keyId, limit) {
      const allowed = ++seen % 3 !== 0
      if (!allowed) this.refused++
      return decide(allowed, limit)
    },
    async peek(_keyId, limit) {
      return decide(true, limit)
    },
  }
}

describe('examples/paginated-reader.mjs', () => {
  it('reads every page, waiting out each 429 for its Retry-After', async () => {
    const limiter = everyThirdRefused()
    const served = await serve({ rateLimiter: limiter })
    const first = await fetch(
      `${served.apiRoot}/projects/${served.projectId}/citations/top-pages?windowDays=90&pageSize=1`,
      { headers: { authorization: `Bearer ${served.key}` } },
    )
    const { totalCount } = (await first.json()).data.pagination
    expect(totalCount).toBeGreaterThanOrEqual(4)
    const pageSize = Math.ceil(totalCount / 4) // four pages: the third request of the reader is refused once

    const reader = run('examples/paginated-reader.mjs', {
      KEYWARD_URL: served.origin,
      KEYWARD_API_KEY: served.key,
      PROJECT_ID: served.projectId,
      PAGE_SIZE: String(pageSize),
    })
    expect(await reader.exited).toBe(0)
    const rows = reader.lines.stdout.map((line) => JSON.parse(line))
    expect(rows).toHaveLength(totalCount)
    expect(new Set(rows.map((r) => r.url)).size).toBe(totalCount)
    expect(reader.lines.stderr).toContain('429: retrying in 1 s (attempt 2)')
    expect(limiter.refused).toBeGreaterThanOrEqual(1)
    expect(reader.lines.stderr.at(-1)).toBe(`done: ${totalCount} rows`)
  })
})
