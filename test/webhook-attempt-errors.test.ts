import { createServer, type Server } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { enqueueWebhookEvent } from '../src/core/webhook-delivery.ts'
import type { FailedAttempt } from '../src/core/webhook-dispatcher.ts'
import { startReceiver } from './support/receiver.ts'
import { countingServer } from './support/ssrf.ts'
import { attemptRows, fastDelivery, restClient, webhookWorld } from './support/webhooks.ts'

let world: ReturnType<typeof webhookWorld>
beforeEach(() => {
  world = webhookWorld()
})
afterEach(() => world.cleanUp())

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  world.defer(() => new Promise((resolve) => server.close(resolve)))
  return (server.address() as { port: number }).port
}

/** A port nothing listens on: one that was open a moment ago. */
async function closedPort(): Promise<number> {
  const receiver = await startReceiver()
  await receiver.close()
  return Number(new URL(receiver.url).port)
}

/**
 * Creates a webhook for each URL on one Keyward (loopback receivers allowed), sends one delivery to each, and
 * returns what members see of each attempt and what the server logged.
 */
async function attemptEach(urls: string[], timeoutMs = fastDelivery.timeoutMs) {
  const logged: FailedAttempt[] = []
  const onAttemptFailure = (failed: FailedAttempt) => logged.push(failed)
  const keyward = await world.compose(world.newDatabaseFile(), {
    ...fastDelivery,
    timeoutMs,
    onAttemptFailure,
  })
  const { owner, project, call, app } = await restClient(keyward)
  world.defer(() => app.close())
  for (const url of urls)
    expect((await call('POST', '/webhooks', { url, events: ['action.created'] })).status).toBe(201)
  const deliveries = await enqueueWebhookEvent(keyward.storage, keyward.clock, {
    projectId: project.id,
    event: 'action.created',
    data: {},
  })
  await keyward.webhookDispatcher.runDue()
  const seen = await Promise.all(
    deliveries.map(async (delivery) => {
      const [stored] = await attemptRows(keyward.database, delivery.id)
      const [shown] = await keyward.queries.webhookAttempts(owner, { webhookId: delivery.webhookId })
      expect(shown?.error).toBe(stored?.error)
      const log = logged.find((entry) => entry.deliveryId === delivery.id)
      const url = (await keyward.storage.webhooks.findById(delivery.webhookId))?.url
      const loggedAs = log && { attemptId: log.attemptId === stored?.id, error: log.error === stored?.error }
      return { url, statusCode: stored?.status_code, error: stored?.error, detail: log?.detail, loggedAs }
    }),
  )
  return urls.map((url) => seen.find((s) => s.url === url))
}

describe('what members see of a failed attempt', () => {
  it('is the same generic text for a closed port and a port that resets, with the detail in the log', async () => {
    const resetting = createServer((socket) => socket.resetAndDestroy())
    const hangingUp = createServer((socket) => socket.destroy())
    const closed = `http://127.0.0.1:${await closedPort()}/hook`
    const reset = `http://127.0.0.1:${await listen(resetting)}/hook`
    const hungUp = `http://127.0.0.1:${await listen(hangingUp)}/hook`
    const [refused, wasReset, wasHungUp] = await attemptEach([closed, reset, hungUp])

    for (const attempt of [refused, wasReset, wasHungUp]) {
      expect(attempt).toMatchObject({ statusCode: null, error: 'connection failed' })
      expect(attempt?.loggedAs).toEqual({ attemptId: true, error: true })
    }
    expect(refused?.detail).toContain('ECONNREFUSED')
    expect(wasReset?.detail).toMatch(/ECONNRESET|other side closed/)
    expect(wasHungUp?.detail).toMatch(/ECONNRESET|other side closed/)
  })

  it('says only "TLS handshake failed" or "timed out" for a receiver that speaks no TLS or never answers', async () => {
    const plain = await startReceiver()
    world.defer(plain.close)
    const hanging = await startReceiver(() => 'hang')
    world.defer(hanging.close)
    const [noTls] = await attemptEach([plain.url.replace('http:', 'https:')])
    const [late] = await attemptEach([hanging.url], 200)
    expect(noTls).toMatchObject({ statusCode: null, error: 'TLS handshake failed' })
    expect(noTls?.detail).toMatch(/ssl|tls/i)
    expect(late).toMatchObject({ statusCode: null, error: 'timed out' })
    expect(late?.detail).toContain('limit 200 ms')
  })

  it('refuses at send time a URL that a development set-up accepted, and connects to nothing', async () => {
    const target = await countingServer()
    world.defer(target.close)
    const file = world.newDatabaseFile()
    const url = `https://[::ffff:127.0.0.1]:${target.port}/hook`
    const development = await world.compose(file)
    const { project, call, app } = await restClient(development)
    world.defer(() => app.close())
    expect((await call('POST', '/webhooks', { url, events: ['action.created'] })).status).toBe(201)
    await development.close()

    const logged: FailedAttempt[] = []
    const onAttemptFailure = (failed: FailedAttempt) => logged.push(failed)
    const production = await world.compose(file, { ...fastDelivery, onAttemptFailure }, false)
    const [delivery] = await enqueueWebhookEvent(production.storage, production.clock, {
      projectId: project.id,
      event: 'action.created',
      data: {},
    })
    await production.webhookDispatcher.runDue()
    expect(await attemptRows(production.database, delivery?.id ?? '')).toEqual([
      expect.objectContaining({ status_code: null, error: 'address not allowed' }),
    ])
    expect(logged).toEqual([expect.objectContaining({ detail: 'url must point to a public host' })])
    expect(target.connections()).toBe(0)
  })
})
