/**
 * The REST path under load, measured as issue 18 §5 asks: the server in a process of its own pinned to one core
 * (`taskset -c 1`), the load generator in this process pinned to the other (`taskset -c 0`), and the server
 * process's CPU time over all its threads (the activity writer thread included) per request, next to a bare Fastify
 * route in the same process, the scenarios taking turns round after round.
 *
 *   npx tsx bench/rest.ts [--baseline DIR] [--rounds N] [--seconds S] [--only bare,webhooks1000,…] [--no-latency]
 *
 * `--baseline DIR`: a checkout of another commit (with node_modules), e.g.
 *   mkdir /tmp/base && git archive b763fb0 | tar -x -C /tmp/base && ln -s "$PWD/node_modules" /tmp/base/
 * Its server (its own bench/rest-server.ts, else this directory's, copied there) runs on the same core, and its
 * rounds alternate with the current tree's. `BENCH_SERVER_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof'` profiles the servers.
 *
 * Two phases: (1) maximum throughput, autocannon with 50 connections in a closed loop; (2) latency at half the keyed
 * webhooks list's maximum, with a fixed-rate (open-loop) generator (bench/open-loop.ts). Prints Markdown.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { copyFileSync, existsSync } from 'node:fs'
import { cpus, loadavg, release, totalmem, type } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { autocannon } from './autocannon.ts'
import { openLoop } from './open-loop.ts'
import type { ServerReady } from './rest-server.ts'

const { values: args } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '2' },
    only: { type: 'string' },
    'no-latency': { type: 'boolean', default: false },
    'latency-rounds': { type: 'string', default: '3' },
  },
})
const rounds = Number(args.rounds)
const roundSeconds = Number(args.seconds)
const latencyRounds = Number(args['latency-rounds'])
const connections = 50
const here = dirname(fileURLToPath(import.meta.url))

/** Pins this process (every thread it has, and so every thread it starts) to core 0. */
function pinSelf(): void {
  execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' })
}

interface Server {
  name: string
  child: ChildProcess
  ready: ServerReady
  measure(): Promise<number>
  exit(): Promise<void>
}

/** Starts a tree's bench/rest-server.ts pinned to core 1 and waits until it is seeded and listening. */
async function startServer(name: string, root: string): Promise<Server> {
  const script = join(root, 'bench', 'rest-server.ts')
  // A baseline keeps its own server script when it has one: this one imports the current tree's module paths.
  if (root !== resolve(here, '..') && !existsSync(script)) copyFileSync(join(here, 'rest-server.ts'), script)
  const nodeOptions = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean)
  const child = spawn('taskset', ['-c', '1', process.execPath, ...nodeOptions, '--import', 'tsx', script], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiters: ((cpu: number) => void)[] = []
  const ready = await new Promise<ServerReady>((resolveReady, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} server exited (${code}) before it was ready`)))
    child.on('message', (message: ServerReady | { type: 'measured'; cpuMicros: number }) => {
      if (message.type === 'ready') resolveReady(message)
      else if (message.type === 'measured') waiters.shift()?.(message.cpuMicros)
    })
  })
  return {
    name,
    child,
    ready,
    measure: () =>
      new Promise<number>((resolveCpu) => {
        waiters.push(resolveCpu)
        child.send({ type: 'measure' })
      }),
    exit: () =>
      new Promise<void>((resolveExit) => {
        child.once('exit', () => resolveExit())
        child.send({ type: 'exit' })
      }),
  }
}

interface Scenario {
  id: string
  label: string
  url: (ready: ServerReady) => string
  path: (ready: ServerReady) => string
  keys: (ready: ServerReady) => string[]
}

const scenarios: Scenario[] = [
  {
    id: 'bare',
    label: 'trivial handler, bare Fastify route',
    url: (r) => r.overheadUrl,
    path: (r) => `/bare/projects/${r.projectId}/ping`,
    keys: (r) => r.keys,
  },
  {
    id: 'piped',
    label: 'trivial handler behind the keyed pipeline, 1,000 keys',
    url: (r) => r.overheadUrl,
    path: (r) => `/api/v2/projects/${r.projectId}/ping`,
    keys: (r) => r.keys,
  },
  {
    id: 'unlogged',
    label: 'the same without the activity log',
    url: (r) => r.overheadUrl,
    path: (r) => `/unlogged/api/v2/projects/${r.projectId}/ping`,
    keys: (r) => r.keys,
  },
  {
    id: 'webhooks1',
    label: 'GET …/webhooks (list), 1 key',
    url: (r) => r.realUrl,
    path: (r) => `/api/v2/projects/${r.projectId}/webhooks`,
    keys: (r) => r.keys.slice(0, 1),
  },
  {
    id: 'webhooks1000',
    label: 'GET …/webhooks (list), 1,000 keys round-robin',
    url: (r) => r.realUrl,
    path: (r) => `/api/v2/projects/${r.projectId}/webhooks`,
    keys: (r) => r.keys,
  },
]

interface Round {
  rps: number
  cpuPerRequest: number
  p99: number
  refused: number
}

const requestsOf = (scenario: Scenario, ready: ServerReady) =>
  scenario.keys(ready).map((key) => ({
    method: 'GET' as const,
    path: scenario.path(ready),
    headers: { authorization: `Bearer ${key}` },
  }))

/** One closed-loop round; the server's CPU is read after its activity rows of before and of this round are written. */
async function maxRound(server: Server, scenario: Scenario): Promise<Round> {
  const before = await server.measure()
  const result = (await autocannon({
    url: scenario.url(server.ready),
    connections,
    duration: roundSeconds,
    requests: requestsOf(scenario, server.ready),
  })) as Awaited<ReturnType<typeof autocannon>> & { '2xx': number }
  const cpu = (await server.measure()) - before
  const answered = result['2xx'] + result.non2xx
  return {
    rps: answered / roundSeconds,
    cpuPerRequest: cpu / answered,
    p99: result.latency.p99,
    refused: result.non2xx + result.errors + result.timeouts,
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const range = (values: number[], digits = 0) =>
  `${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`

async function main() {
  pinSelf()
  const load: number[] = [loadavg()[0] ?? 0]
  const servers = [await startServer('current', resolve(here, '..'))]
  if (args.baseline) {
    const root = resolve(args.baseline)
    if (!existsSync(join(root, 'src', 'main.ts'))) throw new Error(`${root} is not a Keyward checkout`)
    servers.push(await startServer(`baseline (${root})`, root))
  }
  const chosen = args.only ? scenarios.filter((s) => args.only?.split(',').includes(s.id)) : scenarios
  const cells = servers.map(() => chosen.map((): Round[] => []))
  const openLoopRows: string[] = []
  const failures = new Set<string>()
  try {
    console.error('warming up')
    for (const server of servers) for (const scenario of chosen) await maxRound(server, scenario)
    for (let r = 0; r < rounds; r++) {
      console.error(`round ${r + 1} of ${rounds} (load average ${loadavg()[0]?.toFixed(2)})`)
      load.push(loadavg()[0] ?? 0)
      for (const [s, scenario] of chosen.entries()) {
        for (const [i, server] of servers.entries()) cells[i]?.[s]?.push(await maxRound(server, scenario))
      }
    }

    const keyedIndex = chosen.findIndex((s) => s.id === 'webhooks1000')
    const bareScenario = chosen.find((s) => s.id === 'bare')
    if (!args['no-latency'] && keyedIndex >= 0) {
      // Each server's keyed list at half its own maximum; the bare route at the current tree's rate.
      const keyed = chosen[keyedIndex] as Scenario
      const rates = servers.map((_, i) =>
        Math.round(median((cells[i]?.[keyedIndex] ?? []).map((c) => c.rps)) / 2),
      )
      const latency: Record<string, { p50: number[]; p99: number[]; p999: number[]; cpu: number[] }> = {}
      for (let r = 0; r < latencyRounds; r++) {
        console.error(`latency round ${r + 1} of ${latencyRounds}`)
        load.push(loadavg()[0] ?? 0)
        const runs: [Server, Scenario, number][] = servers.map((server, i) => [server, keyed, rates[i] ?? 0])
        if (bareScenario) runs.push([servers[0] as Server, bareScenario, rates[0] ?? 0])
        for (const [server, scenario, rate] of runs) {
          const before = await server.measure()
          const result = await openLoop({
            url: scenario.url(server.ready),
            rate,
            durationMs: roundSeconds * 1500,
            requests: requestsOf(scenario, server.ready),
          })
          const cpu = (await server.measure()) - before
          if (result.non2xx > 0)
            failures.add(`${server.name}, ${scenario.label} at a fixed rate: non-2xx answers`)
          if (result.completed < result.sent)
            failures.add(
              `${server.name}, ${scenario.label} at a fixed rate: unanswered a second after the end`,
            )
          const cell = `${server.name}|${scenario.label}|${rate}`
          latency[cell] ??= { p50: [], p99: [], p999: [], cpu: [] }
          latency[cell].p50.push(result.p50)
          latency[cell].p99.push(result.p99)
          latency[cell].p999.push(result.p999)
          latency[cell].cpu.push(cpu / result.completed)
        }
      }
      for (const [cell, l] of Object.entries(latency)) {
        const [server, label, rate] = cell.split('|')
        openLoopRows.push(
          `| ${server} | ${label} | ${fmt(Number(rate))} | ${range(l.p50, 2)} | ${range(l.p99, 2)} | ` +
            `${range(l.p999, 2)} | ${range(l.cpu, 1)} |`,
        )
      }
    }
  } finally {
    for (const server of servers) await server.exit()
  }
  load.push(loadavg()[0] ?? 0)

  const cpu = cpus()
  console.log(
    `Machine: ${cpu[0]?.model} × ${cpu.length}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${type()} ${release()}, ` +
      `Node ${process.version}. Server: its own process on core 1 (taskset), SQLite file (WAL), LOG_LEVEL=warn; ` +
      `load generator on core 0. ${rounds} rounds of ${roundSeconds} s per scenario and server, taking turns. ` +
      `Load average (1 min) during the run: ${fmt(Math.min(...load), 2)}–${fmt(Math.max(...load), 2)}.\n`,
  )
  console.log(
    `Maximum throughput (autocannon, ${connections} connections, closed loop). CPU µs per request: the server ` +
      "process's user + system time over all its threads, its activity rows written; ratio: to the bare route's " +
      'CPU per request in the same round (median of the rounds, and range).\n',
  )
  console.log('| server | scenario | req/s | server CPU µs per request | ratio to bare | p99 ms |')
  console.log('|---|---|---|---|---|---|')
  const bareIndex = chosen.findIndex((s) => s.id === 'bare')
  for (const [s, scenario] of chosen.entries()) {
    for (const [i, server] of servers.entries()) {
      const own = cells[i]?.[s] ?? []
      const bare = cells[i]?.[bareIndex] ?? []
      const ratios = bareIndex >= 0 ? own.map((c, r) => c.cpuPerRequest / (bare[r]?.cpuPerRequest ?? 1)) : []
      if (own.some((c) => c.refused > 0)) failures.add(`${server.name}, ${scenario.label}: non-2xx or errors`)
      console.log(
        `| ${server.name} | ${scenario.label} | ${range(own.map((c) => c.rps))} | ` +
          `${range(
            own.map((c) => c.cpuPerRequest),
            1,
          )} | ${ratios.length ? range(ratios, 2) : '—'} | ${median(own.map((c) => c.p99))} |`,
      )
    }
  }
  if (openLoopRows.length) {
    console.log(
      `\nLatency at a fixed rate (open loop, 64 connections, ${roundSeconds * 1.5}-s rounds; latency counted from ` +
        "when each request was due): the keyed webhooks list at half of each server's maximum above, the bare route " +
        "at the current tree's rate. Median of the rounds (range), ms.\n",
    )
    console.log('| server | scenario | req/s | p50 ms | p99 ms | p99.9 ms | server CPU µs per request |')
    console.log('|---|---|---|---|---|---|---|')
    for (const row of openLoopRows) console.log(row)
  }
  if (failures.size) {
    console.log(`\nWARNING: ${[...failures].join('; ')}.`)
    process.exitCode = 1
  } else {
    console.log('\nEvery response was 2xx (no 429, no errors, no timeouts, none unanswered).')
  }
}

await main()
