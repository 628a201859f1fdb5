/**
 * Scale-out on one machine: three `keyward serve` nodes on one Postgres database and one Redis.
 * 1. Revocation propagation: revoke a key (another process, as the CLI or a dashboard node would) and poll node B
 *    until it refuses the key; 200 revocations, p50/p99/max.
 * 2. Throughput of one node against three nodes behind a round-robin client, on the same keyed endpoint.
 * Needs BENCH_DATABASE_URL (or TEST_DATABASE_URL) and BENCH_REDIS_URL (or TEST_REDIS_URL). Prints Markdown.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import { createInterface } from 'node:readline'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { composeKeyward } from '../src/main.ts'
import { openDatabase } from '../src/storage/database.ts'
import { type AutocannonResult, autocannon } from './autocannon.ts'
import { percentiles } from './stats.ts'

const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const revocations = 200
const seconds = 5
const connections = 48

async function startNode(env: Record<string, string>) {
  const child = spawn(process.execPath, ['bin/keyward.js', 'serve', '--json'], {
    env: { ...process.env, ...env },
  })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`node exited with ${code}`)))
  })
  return { child, url: JSON.parse(line).url as string }
}

async function main() {
  if (!postgresUrl) throw new Error('set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a Postgres server')
  const name = `keyward_bench_${randomBytes(4).toString('hex')}`
  const server = openDatabase(postgresUrl)
  await sql`create database ${sql.id(name)}`.execute(server.db)
  const url = new URL(postgresUrl)
  url.pathname = `/${name}`
  const env = {
    DATABASE_URL: url.toString(),
    REDIS_URL: redisUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  }
  const nodes = []
  try {
    for (let i = 0; i < 3; i++) nodes.push(await startNode(env))
    const [nodeA, nodeB] = nodes as unknown as [{ url: string }, { url: string }]
    const admin = await composeKeyward(loadConfig(env))
    const account = await admin.services.accounts.create(operator, { name: 'Bench', plan: 'enterprise' })
    const project = await admin.services.projects.create(operator, { accountId: account.id, name: 'P' })
    const path = `/api/v2/projects/${project.id}/webhooks`
    const status = (base: string, key: string) =>
      fetch(base + path, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status)

    console.error(`measuring ${revocations} revocations…`)
    const delays: number[] = []
    for (let i = 0; i < revocations; i++) {
      const created = await admin.services.keys.create(operator, { projectId: project.id, name: `r${i}` })
      if ((await status(nodeB.url, created.key)) !== 200) throw new Error('warm-up request failed')
      const started = performance.now()
      await admin.services.keys.revoke(operator, { keyId: created.id })
      while ((await status(nodeB.url, created.key)) !== 401) {
        if (performance.now() - started > 15_000) throw new Error('revocation never reached node B')
      }
      delays.push(performance.now() - started)
    }
    const propagation = percentiles(delays)

    console.error('measuring throughput…')
    const keys = []
    for (let i = 0; i < 1000; i++)
      keys.push((await admin.services.keys.create(operator, { projectId: project.id, name: `t${i}` })).key)
    const requests = keys.map((key) => ({
      method: 'GET' as const,
      path,
      headers: { authorization: `Bearer ${key}` },
    }))
    const load = (targets: { url: string }[]) =>
      Promise.all(
        targets.map((t) =>
          autocannon({
            url: t.url,
            connections: Math.floor(connections / targets.length),
            duration: seconds,
            requests,
          }),
        ),
      )
    await load([nodeA]) // warm-up: JIT and key caches
    const one = await load([nodeA])
    const three = await load(nodes)
    const sum = (results: AutocannonResult[]) =>
      Math.round(results.reduce((n, r) => n + r.requests.average, 0))
    const worst = (results: AutocannonResult[]) => Math.max(...results.map((r) => r.latency.p99))
    const non2xx = (results: AutocannonResult[]) => results.reduce((n, r) => n + r.non2xx, 0)
    await admin.close()

    console.log(
      `Machine: ${cpus()[0]?.model} × ${cpus().length}, Node ${process.version}; Postgres and Redis on loopback\n`,
    )
    console.log('| measurement | p50 | p99 | max |')
    console.log('|---|---|---|---|')
    console.log(
      `| revocation → refusal on node B (${revocations} revocations) | ${propagation.p50} ms | ${propagation.p99} ms | ${propagation.max} ms |`,
    )
    console.log('\n| setup | req/s | worst p99 | non-2xx |')
    console.log('|---|---|---|---|')
    console.log(
      `| 1 node, ${connections} connections, 1,000 keys | ${sum(one)} | ${worst(one)} ms | ${non2xx(one)} |`,
    )
    console.log(
      `| 3 nodes round-robin, ${connections} connections, 1,000 keys | ${sum(three)} | ${worst(three)} ms | ${non2xx(three)} |`,
    )
  } finally {
    for (const node of nodes) node.child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 500))
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(server.db)
    await server.close()
  }
}

await main()
