import { createServer } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { loadConfig } from '../../src/config.ts'
import { ensureDemo } from '../../src/core/demo.ts'
import type { RateLimiter } from '../../src/core/rate-limit.ts'
import { appDeps, composeKeyward } from '../../src/main.ts'
import { buildApp } from '../../src/transport/http/app.ts'
import { sqliteDatabase } from './databases.ts'

/** A port nothing listens on now (for a server whose URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/**
 * A real server on a loopback port whose OpenAPI document names it (`KEYWARD_PUBLIC_URL`), with the demo team and
 * its 90 days of analytics, and the demo's full-access key: what a new integrator points a client at.
 */
export async function servedKeyward(
  options: { rateLimiter?: RateLimiter; allowHttpWebhooks?: boolean } = {},
) {
  // As `KEYWARD_ALLOW_HTTP_WEBHOOKS=1` would: webhooks may then point at a local receiver, and are delivered to it.
  const env = options.allowHttpWebhooks ? { KEYWARD_ALLOW_HTTP_WEBHOOKS: '1' } : {}
  const keyward = await composeKeyward(loadConfig(env), { database: await sqliteDatabase.open() })
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const app: FastifyInstance = await buildApp({
    ...appDeps(keyward),
    ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
    publicUrl: origin,
    logLevel: 'silent',
  })
  await app.listen({ port, host: '127.0.0.1' })
  const demo = await ensureDemo(keyward)
  if (!demo.key) throw new Error('the demo made no key')
  return {
    keyward,
    app,
    origin,
    apiRoot: `${origin}/api/v2`,
    key: demo.key.key,
    projectId: demo.key.projectId,
    async close() {
      await app.close()
      await keyward.close()
    },
  }
}
