/**
 * Rotation across three nodes: three `keyward serve` processes on one Postgres database, each holding the key in its
 * cache. A fourth process (the CLI's or a dashboard node's role) rolls the key; each trial is timed until the previous
 * secret is refused on ALL three nodes (each polled back to back, one request in flight per node).
 * 1. grace 0: from just before the rotate call (commit, NOTIFY, eviction and one HTTP request included).
 * 2. grace end: rotated with a 1-second grace; from the grace's deadline (no notification: each node compares its
 *    cached deadline with its clock) to the last node's first 401 answer, so one HTTP round trip is included.
 * A revocation, timed the same way, is measured in the same run for comparison.
 * 100 trials each. Needs BENCH_DATABASE_URL (or TEST_DATABASE_URL): an empty database of its own, migrated here and
 * left in place (its tables are reused by a next run). Prints Markdown.
 */
import { spawn } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { createInterface } from 'node:readline'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { composeKeyward } from '../src/main.ts'
import { percentiles } from './stats.ts'

const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
const trials = Number(process.env.BENCH_TRIALS ?? 100)

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
  if (!postgresUrl) throw new Error('set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a Postgres database')
  const env = { DATABASE_URL: postgresUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }
  const admin = await composeKeyward(loadConfig(env)) // migrates the database before the nodes start
  const nodes: Array<{ child: ReturnType<typeof spawn>; url: string }> = []
  try {
    for (let i = 0; i < 3; i++) nodes.push(await startNode(env))
    const account = await admin.services.accounts.create(operator, { name: 'Bench', plan: 'enterprise' })
    const project = await admin.services.projects.create(operator, { accountId: account.id, name: 'P' })
    const path = `/api/v2/projects/${project.id}/webhooks`
    const status = (base: string, key: string) =>
      fetch(base + path, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status)
    const wallClock = () => performance.timeOrigin + performance.now()
    /**
     * Polls every node until it refuses `key`. Resolves with the instant (ms, wall clock) the last of the three first
     * answered 401, and the latest instant a request that was still accepted (200) had been sent.
     */
    const refusedEverywhere = (key: string, since: number) =>
      Promise.all(
        nodes.map(async (node) => {
          let lastAcceptedSent = Number.NEGATIVE_INFINITY
          for (;;) {
            const sent = wallClock()
            if ((await status(node.url, key)) === 401) return { refused: wallClock(), lastAcceptedSent }
            lastAcceptedSent = sent
            if (Date.now() - since > 15_000) throw new Error(`the previous secret still works on ${node.url}`)
          }
        }),
      ).then((answers) => ({
        refused: Math.max(...answers.map((a) => a.refused)),
        lastAcceptedSent: Math.max(...answers.map((a) => a.lastAcceptedSent)),
      }))
    const warmKey = async (i: number) => {
      const created = await admin.services.keys.create(operator, { projectId: project.id, name: `r${i}` })
      for (const node of nodes)
        if ((await status(node.url, created.key)) !== 200) throw new Error('warm-up request failed')
      return created
    }

    // The same path as a revocation (commit, NOTIFY, eviction): measured in the same run, for comparison.
    console.error(`revocation: ${trials} revocations…`)
    const revocation: number[] = []
    for (let i = 0; i < trials; i++) {
      const created = await warmKey(i)
      const started = wallClock()
      await admin.services.keys.revoke(operator, { keyId: created.id })
      revocation.push((await refusedEverywhere(created.key, Date.now())).refused - started)
    }

    console.error(`grace 0: ${trials} rotations…`)
    const immediate: number[] = []
    for (let i = 0; i < trials; i++) {
      const created = await warmKey(trials + i)
      const started = wallClock()
      await admin.services.keys.rotate(operator, { keyId: created.id, grace: '0' })
      immediate.push((await refusedEverywhere(created.key, Date.now())).refused - started)
    }

    console.error(`grace end: ${trials} rotations with a 1-second grace…`)
    const graceEnd: number[] = []
    let latestAcceptedSent = Number.NEGATIVE_INFINITY
    for (let i = 0; i < trials; i++) {
      const created = await warmKey(2 * trials + i)
      const rotated = await admin.services.keys.rotate(operator, { keyId: created.id, grace: '1s' })
      const deadline = rotated.previousKeyValidUntil ?? 0
      const { refused, lastAcceptedSent } = await refusedEverywhere(created.key, Date.now())
      graceEnd.push(Math.max(0, refused - deadline))
      latestAcceptedSent = Math.max(latestAcceptedSent, lastAcceptedSent - deadline)
    }

    const row = (label: string, samples: number[]) => {
      const p = percentiles(samples)
      return `| ${label} | ${p.p50} ms | ${p.p99} ms | ${p.max} ms |`
    }
    console.log(
      `Machine: ${cpus()[0]?.model} × ${cpus().length}, Node ${process.version}, load average ${loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}; Postgres on loopback\n`,
    )
    console.log('| previous secret refused on all 3 nodes | p50 | p99 | max |')
    console.log('|---|---|---|---|')
    console.log(row(`revocation, for comparison (${trials} trials)`, revocation))
    console.log(row(`after a grace-0 rotation (${trials} trials)`, immediate))
    console.log(row(`after its grace ends, from the deadline (${trials} trials)`, graceEnd))
    console.log(
      `\nLatest send time of a request the previous secret still got a 200 for, relative to its deadline: ${latestAcceptedSent.toFixed(1)} ms`,
    )
  } finally {
    for (const node of nodes) node.child.kill('SIGTERM')
    await admin.close()
  }
}

await main()
