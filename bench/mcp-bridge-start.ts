/**
 * Cold start of `keyward mcp`, as an MCP client sees it: from spawning the bridge to the first line it writes, the
 * answer to `initialize`, through a running server. `BASELINE=/path/to/other/checkout` alternates rounds with that
 * checkout's bin/keyward.js, so both see the same load. Prints wall time and the child's CPU time (user + system,
 * from /proc) per round's median.
 *
 *   npx tsx bench/mcp-bridge-start.ts [rounds]
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { appDeps, composeKeyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'

const rounds = Number(process.argv[2] ?? 9)
const ticksPerSecond = 100 // USER_HZ on Linux

/** One spawn: milliseconds to the first answer line, and the child's CPU milliseconds until then. */
function coldStart(bin: string, url: string, key: string): Promise<{ wallMs: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [bin, 'mcp', '--url', url], {
      env: { ...process.env, KEYWARD_API_KEY: key },
    })
    createInterface({ input: child.stdout }).once('line', (line) => {
      const wallMs = performance.now() - started
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      const cpuMs = ((Number(stat[11]) + Number(stat[12])) / ticksPerSecond) * 1000
      child.kill()
      if (!line.includes('"result"')) reject(new Error(`not an initialize result: ${line}`))
      else resolve({ wallMs, cpuMs })
    })
    child.stdin.write(
      `${JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'bench', version: '1' },
        },
      })}\n`,
    )
  })
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-bridge-'))
const keyward = await composeKeyward(
  loadConfig({ DATABASE_URL: join(dir, 'keyward.db'), LOG_LEVEL: 'silent' }),
)
const account = await keyward.services.accounts.create(operator, { name: 'Bench', plan: 'pro' })
const project = await keyward.services.projects.create(operator, { accountId: account.id, name: 'Bench' })
const { key } = await keyward.services.keys.create(operator, { projectId: project.id, name: 'bench' })
const app = await buildApp({ ...appDeps(keyward), logLevel: 'silent', dashboard: undefined })
await app.listen({ port: 0, host: '127.0.0.1' })
const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/mcp`

const candidates: Record<string, string> = { current: 'bin/keyward.js' }
if (process.env.BASELINE) candidates.baseline = join(process.env.BASELINE, 'bin/keyward.js')
const samples: Record<string, { wallMs: number; cpuMs: number }[]> = {}
const loads: number[] = []
for (let round = 0; round < rounds; round++) {
  for (const [name, bin] of Object.entries(candidates)) {
    loads.push(loadavg()[0] ?? 0)
    const sample = await coldStart(bin, url, key)
    samples[name] = [...(samples[name] ?? []), sample]
  }
}
console.log(
  `| bridge | rounds | median to initialize answer | median CPU (user+sys) | load average (1 min) |`,
)
console.log('| --- | --- | --- | --- | --- |')
for (const [name, list] of Object.entries(samples)) {
  const wall = median(list.map((s) => s.wallMs)).toFixed(0)
  const cpu = median(list.map((s) => s.cpuMs)).toFixed(0)
  console.log(`| ${name} | ${list.length} | ${wall} ms | ${cpu} ms | ${median(loads).toFixed(1)} |`)
}
await app.close()
await keyward.close()
rmSync(dir, { recursive: true, force: true })
