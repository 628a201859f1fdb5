/**
 * The REST path under load, in one process on loopback: the servers on the main thread, autocannon in one worker
 * thread (so that the load generator does not share the servers' event loop). Measures the keyed pipeline's
 * overhead (one trivial handler with it, with it but no activity log, and without it) and a real keyed endpoint
 * with 1 and 1,000 keys, the scenarios of each set in alternating rounds. Prints a Markdown table.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import type { RateLimiter } from '../src/core/rate-limit.ts'
import { appDeps, composeKeyward, type Keyward } from '../src/main.ts'
import { openDatabase } from '../src/storage/database.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { responseSerializerCompiler } from '../src/transport/http/response-serializer.ts'
import type { PipelineDeps } from '../src/transport/http/v2/pipeline.ts'
import { registerPublicApi } from '../src/transport/http/v2/register.ts'
import { keyedRoute, projectIdParam } from '../src/transport/http/v2/route-table.ts'
import { autocannon } from './autocannon.ts'

const keyCount = 1000
const many = keyCount.toLocaleString('en')
const connections = 50
const roundsPerScenario = 5
const roundSeconds = 2
const okSchema = z.object({ ok: z.boolean() })

/**
 * rate-limiter-flexible's real per-key counting with a ceiling no run reaches: for the one-key scenario, where
 * the real ceiling (1,000 a minute) would cap the benchmark after a tenth of a second.
 */
function uncapped(limiter: RateLimiter): RateLimiter {
  const ceiling = 1_000_000_000
  return {
    consume: (keyId) => limiter.consume(keyId, ceiling),
    peek: (keyId) => limiter.peek(keyId, ceiling),
  }
}

/**
 * One trivial handler, mounted behind the keyed pipeline (/api/v2), behind it without the activity log
 * (/unlogged/api/v2: Kong's 24 % is key auth and rate limiting alone), and bare (/bare), with the app's compilers.
 */
async function overheadApp(deps: PipelineDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: 'warn' } })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(responseSerializerCompiler)
  const ping = keyedRoute({
    method: 'GET',
    path: '/projects/:projectId/ping',
    operationId: 'ping',
    summary: 'Trivial handler',
    tool: { name: 'devtune_bench_ping', description: 'Benchmark only: answers {ok: true}.' },
    scope: 'webhooks.read',
    envelope: false,
    response: okSchema,
    handle: async () => ({ ok: true }),
  })
  await app.register(async (api) => registerPublicApi(api, [ping], deps), { prefix: '/api/v2' })
  const unlogged = { ...deps, activity: { record() {}, touch() {} } }
  await app.register(async (api) => registerPublicApi(api, [ping], unlogged), { prefix: '/unlogged/api/v2' })
  await app.register(
    async (bare) => {
      bare
        .withTypeProvider<ZodTypeProvider>()
        .get(
          '/projects/:projectId/ping',
          { schema: { params: z.object({ projectId: projectIdParam }), response: { 200: okSchema } } },
          async () => ({ ok: true }),
        )
    },
    { prefix: '/bare' },
  )
  return app
}

async function seed(keyward: Keyward) {
  const account = await keyward.services.accounts.create(operator, { name: 'Bench', plan: 'enterprise' })
  const project = await keyward.services.projects.create(operator, { accountId: account.id, name: 'Bench' })
  const keys: string[] = []
  for (let i = 0; i < keyCount; i++) {
    keys.push(
      (await keyward.services.keys.create(operator, { projectId: project.id, name: `bench ${i}` })).key,
    )
  }
  for (const events of [
    ['visibility.changed'],
    ['action.created', 'action.updated'],
    ['action.updated'],
  ] as const) {
    await keyward.services.webhooks.create(operator, {
      projectId: project.id,
      url: `https://hooks.example.com/${events[0]}`,
      events: [...events],
    })
  }
  return { projectId: project.id, keys }
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

interface Target {
  scenario: string
  url: string
  path: string
  keys: string[]
}

interface Round {
  rps: number
  p50: number
  p99: number
  refused: number
}

/** Every connection walks the key list in order, so each request carries the next key. */
async function round(keyward: Keyward, target: Target): Promise<Round> {
  // Every round starts from the same state: the previous round's activity rows written.
  await keyward.activity.flush()
  const result = await autocannon({
    url: target.url,
    connections,
    duration: roundSeconds,
    workers: 1,
    requests: target.keys.map((key) => ({
      method: 'GET' as const,
      path: target.path,
      headers: { authorization: `Bearer ${key}` },
    })),
  })
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    refused: result.non2xx + result.errors + result.timeouts,
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN

/**
 * The targets of one comparison take turns, round after round, so that a slow spell of this shared machine
 * (throughput moves by ±30 % from one second to the next) falls on both sides instead of on one.
 */
async function interleaved(keyward: Keyward, targets: Target[]): Promise<Round[][]> {
  for (const target of targets) {
    console.error(`warming up: ${target.scenario}`)
    await round(keyward, target)
  }
  const rounds: Round[][] = targets.map(() => [])
  for (let r = 0; r < roundsPerScenario; r++) {
    console.error(`round ${r + 1} of ${roundsPerScenario}`)
    for (const [i, target] of targets.entries()) rounds[i]?.push(await round(keyward, target))
  }
  return rounds
}

async function main() {
  const loadBefore = loadavg()[0]?.toFixed(2)
  const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-rest-'))
  const keyward = await composeKeyward(loadConfig({ LOG_LEVEL: 'warn' }), {
    database: openDatabase(join(dir, 'bench.db')),
  })
  const apps: FastifyInstance[] = []
  let overheadSet: Target[] = []
  let keyedPair: Target[] = []
  let overheadRounds: Round[][] = []
  let keyedRounds: Round[][] = []
  try {
    console.error(`seeding ${many} keys in SQLite…`)
    const { projectId, keys } = await seed(keyward)
    const deps = appDeps(keyward)

    const overhead = await overheadApp(deps)
    const real = await buildApp(deps)
    const realOneKey = await buildApp({ ...deps, rateLimiter: uncapped(keyward.rateLimiter) })
    apps.push(overhead, real, realOneKey)
    const [overheadUrl = '', realUrl = '', realOneKeyUrl = ''] = await Promise.all(apps.map(listen))

    const ping = `/projects/${projectId}/ping`
    const webhooks = `/api/v2/projects/${projectId}/webhooks`
    overheadSet = [
      { scenario: 'trivial handler, bare (no pipeline)', url: overheadUrl, path: `/bare${ping}`, keys },
      {
        scenario: `trivial handler behind the keyed pipeline, ${many} keys`,
        url: overheadUrl,
        path: `/api/v2${ping}`,
        keys,
      },
      {
        scenario: `trivial handler behind the keyed pipeline without the activity log, ${many} keys`,
        url: overheadUrl,
        path: `/unlogged/api/v2${ping}`,
        keys,
      },
    ]
    keyedPair = [
      {
        scenario: 'GET …/webhooks (list), 1 key*',
        url: realOneKeyUrl,
        path: webhooks,
        keys: keys.slice(0, 1),
      },
      { scenario: `GET …/webhooks (list), ${many} keys round-robin`, url: realUrl, path: webhooks, keys },
    ]
    overheadRounds = await interleaved(keyward, overheadSet)
    keyedRounds = await interleaved(keyward, keyedPair)
  } finally {
    await Promise.all(apps.map((app) => app.close()))
    await keyward.close()
    rmSync(dir, { recursive: true, force: true })
  }

  const cpu = cpus()
  console.log(
    `Machine: ${cpu[0]?.model} × ${cpu.length}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${type()} ${release()}, ` +
      `Node ${process.version}. One process: servers on the main thread, autocannon (${connections} connections) ` +
      `in one worker thread, loopback; SQLite file (WAL); LOG_LEVEL=warn. ${roundsPerScenario} rounds of ` +
      `${roundSeconds} s per scenario, the scenarios of a set taking turns. ` +
      `Load average (1 min) before: ${loadBefore}, after: ${loadavg()[0]?.toFixed(2)}.\n`,
  )
  console.log('| scenario | req/s: median (min–max) | p50 ms (median) | p99 ms (median) |')
  console.log('|---|---|---|---|')
  const targets = [...overheadSet, ...keyedPair]
  for (const [i, rounds] of [...overheadRounds, ...keyedRounds].entries()) {
    const rps = rounds.map((r) => r.rps)
    const fmt = (n: number) => n.toLocaleString('en')
    console.log(
      `| ${targets[i]?.scenario} | ${fmt(median(rps))} (${fmt(Math.min(...rps))}–${fmt(Math.max(...rps))}) | ` +
        `${median(rounds.map((r) => r.p50))} | ${median(rounds.map((r) => r.p99))} |`,
    )
  }
  console.log(
    `\nRate limiter: the real one (rate-limiter-flexible, in memory, enterprise plan: 1,000 a minute per key) with ` +
      `${many} keys round-robin, except * where one key meets the same limiter with a ceiling no run ` +
      'reaches (so that 1,000 a minute does not cap it).',
  )
  const [bare = [], ...pipedSets] = overheadRounds
  for (const [i, piped] of pipedSets.entries()) {
    const costs = bare.map((b, r) => (1 - (piped[r]?.rps ?? 0) / b.rps) * 100)
    const overheadPct = (1 - median(piped.map((r) => r.rps)) / median(bare.map((r) => r.rps))) * 100
    console.log(
      `Pipeline overhead${i === 0 ? '' : ' without the activity log'}: ${overheadPct.toFixed(1)} % of throughput, ` +
        `medians against medians; round by round ${Math.min(...costs).toFixed(1)}–${Math.max(...costs).toFixed(1)} % ` +
        '(target ≤ 15 %).',
    )
  }
  const worstP99 = Math.max(...keyedRounds.map((rounds) => median(rounds.map((r) => r.p99))))
  console.log(`Keyed p99 at ${connections} connections: worst median ${worstP99} ms (target ≤ 10 ms).`)
  const refused = targets.filter((_, i) => [...overheadRounds, ...keyedRounds][i]?.some((r) => r.refused > 0))
  if (refused.length) {
    console.log(`WARNING: non-2xx answers or errors in: ${refused.map((t) => t.scenario).join(', ')}`)
    process.exitCode = 1
  } else {
    console.log('Every response was 2xx (no 429, no errors, no timeouts).')
  }
}

await main()
