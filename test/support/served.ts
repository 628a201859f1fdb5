import { createServer } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { ensureDemo } from '../../src/core/demo.ts'
import { appDeps, type Keyward } from '../../src/main.ts'
import { buildApp } from '../../src/transport/http/app.ts'
import { testKeyward } from './keyward.ts'

async function freePort(): Promise<number> {
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
export async function servedKeyward(options: { keyward?: Keyward } = {}) {
  const keyward = options.keyward ?? (await testKeyward())
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const app: FastifyInstance = await buildApp({ ...appDeps(keyward), publicUrl: origin, logLevel: 'silent' })
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
