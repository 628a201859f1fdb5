/**
 * Start-up time of `keyward serve`: the TypeScript sources through tsx (bin/keyward.js without dist/) against the
 * compiled output (node dist/cli/run.js, `npm run build:server`). Each round spawns the server on a migrated SQLite
 * file, polls /healthz every 5 ms and records the time to the first 200 and the CPU time the process had used by
 * then (/proc/<pid>/stat). Rounds alternate between the two, pinned to one core with taskset, after one warm-up
 * each (tsx's transform cache is warm from then on, as it is on a server that has started once).
 *
 *   npx tsx bench/startup.ts [rounds=5]
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const rounds = Number(process.argv[2] ?? 5)
const variants = {
  tsx: ['--import', 'tsx', join(root, 'src/cli/run.ts')],
  compiled: [join(root, 'dist/cli/run.js')],
}
if (!existsSync(join(root, 'dist/cli/run.js'))) throw new Error('run `npm run build:server` first')

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

const ticksPerSecond = 100
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond // utime + stime
}

async function startOnce(args: string[], databaseUrl: string) {
  const port = await freePort()
  const started = performance.now()
  const child: ChildProcess = spawn('taskset', ['-c', '1', process.execPath, ...args, 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  })
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
      if (ok) return { ms: performance.now() - started, cpuMs: cpuMs(child.pid as number) }
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const dir = mkdtempSync(join(tmpdir(), 'keyward-startup-'))
try {
  const databaseUrl = join(dir, 'keyward.db')
  for (const args of Object.values(variants)) await startOnce(args, databaseUrl) // migrates, warms caches
  const results: Record<string, { ms: number[]; cpuMs: number[] }> = {
    tsx: { ms: [], cpuMs: [] },
    compiled: { ms: [], cpuMs: [] },
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, args] of Object.entries(variants)) {
      const { ms, cpuMs } = await startOnce(args, databaseUrl)
      results[name]?.ms.push(ms)
      results[name]?.cpuMs.push(cpuMs)
    }
  }
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${rounds} alternating rounds`,
  )
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(9)} first /healthz: median ${median(r.ms).toFixed(0)} ms (${r.ms.map((v) => v.toFixed(0)).join(', ')}); ` +
        `CPU until then: median ${median(r.cpuMs).toFixed(0)} ms`,
    )
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
