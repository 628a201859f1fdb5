/**
 * The server side of bench/rest.ts, in a process of its own (which bench/rest.ts pins to one core): seeds a SQLite
 * file with 1,000 keys and three webhooks, serves the benchmark's routes, and answers the parent over IPC.
 *
 * Messages from the parent: `{ type: 'measure' }` writes every buffered activity row (waiting for the writer thread)
 * and answers `{ type: 'measured', cpuMicros }`, this process's CPU time so far over all its threads (main, writer
 * thread, libuv pool, V8's helpers). Measured after a flush before and after a round, the difference is what the
 * round's requests cost the server, their activity rows written included. `{ type: 'exit' }` closes everything
 * and exits (a `--cpu-prof` profile is written then).
 *
 * It imports only what both the current tree and an older commit offer (bench/rest.ts copies this file into a
 * baseline's tree to run it against that commit's src/).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { rateLimitPerMinute } from '../src/core/plans.ts'
import { appDeps, composeKeyward, type Keyward } from '../src/main.ts'
import { openDatabase } from '../src/storage/database.ts'
import { keyedRoute, projectIdParam } from '../src/transport/capabilities/capability.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { responseSerializerCompiler } from '../src/transport/http/response-serializer.ts'
import { registerPublicApi } from '../src/transport/http/v2/register.ts'
import type { PipelineDeps } from '../src/transport/keyed-pipeline.ts'

const keyCount = 1000
const okSchema = z.object({ ok: z.boolean() })

/** What the parent needs to aim its load. */
export interface ServerReady {
  type: 'ready'
  /** The trivial handler: bare, behind the keyed pipeline, and behind it without the activity log. */
  overheadUrl: string
  /** The real app (`buildApp`), for GET …/webhooks. */
  realUrl: string
  projectId: string
  keys: string[]
}

/**
 * One trivial handler, mounted behind the keyed pipeline (/api/v2), behind it without the activity log
 * (/unlogged/api/v2), and bare (/bare), with the app's compilers.
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

const cpuMicros = () => {
  const usage = process.cpuUsage()
  return usage.user + usage.system
}

async function main() {
  const send = process.send?.bind(process)
  if (!send)
    throw new Error('bench/rest-server.ts runs as a child of bench/rest.ts (it needs an IPC channel)')
  // The real limiter (rate-limiter-flexible in memory) counts every request, with a ceiling no run reaches: 1,000
  // keys at 20,000 req/s would pass the enterprise plan's 1,000 a minute per key and measure 429s instead.
  rateLimitPerMinute.enterprise = 1_000_000_000
  const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-rest-'))
  const keyward = await composeKeyward(loadConfig({ LOG_LEVEL: 'warn' }), {
    database: openDatabase(join(dir, 'bench.db')),
  })
  const { projectId, keys } = await seed(keyward)
  const deps = appDeps(keyward)
  const overhead = await overheadApp(deps)
  const real = await buildApp(deps)
  const [overheadUrl = '', realUrl = ''] = await Promise.all([overhead, real].map(listen))

  process.on('message', (message: { type: string }) => {
    if (message.type === 'measure') {
      void keyward.activity.flush().then(() => send({ type: 'measured', cpuMicros: cpuMicros() }))
    } else if (message.type === 'exit') {
      void (async () => {
        await Promise.all([overhead.close(), real.close()])
        await keyward.close()
        rmSync(dir, { recursive: true, force: true })
        process.exit(0)
      })()
    }
  })
  send({ type: 'ready', overheadUrl, realUrl, projectId, keys } satisfies ServerReady)
}

await main()
