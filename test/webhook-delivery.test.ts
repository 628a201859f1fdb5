import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { enqueueWebhookEvent } from '../src/core/webhook-delivery.ts'
import type { Keyward } from '../src/main.ts'
import type { OpenDatabase } from '../src/storage/database.ts'
import { testDatabases } from './support/databases.ts'
import { type Answer, hmacHex, type ReceivedRequest, startReceiver } from './support/receiver.ts'
import {
  attemptRows,
  deliveryRow,
  fastDelivery,
  restClient,
  sleep,
  waitForState,
  webhookWorld,
} from './support/webhooks.ts'

let world: ReturnType<typeof webhookWorld>
beforeEach(() => {
  world = webhookWorld()
})
afterEach(() => world.cleanUp())

async function receiver(answer?: (request: ReceivedRequest) => Answer | Promise<Answer>) {
  const started = await startReceiver(answer)
  world.defer(started.close)
  return started
}

/**
 * A composed Keyward (on a fresh SQLite file unless given a database) with one webhook created over REST,
 * subscribed to `visibility.changed` and `action.created`.
 */
async function withWebhook(url: string, delivery = fastDelivery, database?: OpenDatabase) {
  const keyward = await world.compose(database ?? world.newDatabaseFile(), delivery)
  const client = await restClient(keyward)
  world.defer(() => client.app.close())
  const created = await client.call('POST', '/webhooks', {
    url,
    events: ['visibility.changed', 'action.created'],
  })
  expect(created.status).toBe(201)
  const webhook = created.body.data as { id: string; secret: string; url: string }
  const enqueue = (event: 'visibility.changed' | 'action.created', data: Record<string, unknown> = {}) =>
    enqueueWebhookEvent(keyward.storage, keyward.clock, { projectId: client.project.id, event, data })
  return { keyward, ...client, webhook, enqueue }
}

const db = (keyward: Keyward) => keyward.database

describe('webhook delivery', () => {
  it('POSTs the stored envelope with exact headers, signed with the secret current at send time', async () => {
    const hooks = await receiver()
    const { keyward, project, call, webhook, enqueue } = await withWebhook(hooks.url)
    expect((await call('GET', '/webhooks')).body.data.webhooks).toEqual([
      expect.objectContaining({ id: webhook.id, url: hooks.url, isActive: true }),
    ])

    const [queued] = await enqueue('visibility.changed', { shareOfVoice: 0.42 })
    if (!queued) throw new Error('nothing queued')
    expect(await keyward.webhookDispatcher.runDue()).toHaveLength(1)
    const [first] = hooks.received
    if (!first) throw new Error('nothing received')
    expect(first.method).toBe('POST')
    expect(first.path).toBe('/hooks/keyward')
    expect(first.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'DevTune-Webhook/2.0',
      'x-devtune-event': 'visibility.changed',
      'x-devtune-signature': hmacHex(webhook.secret, first.body),
      'content-length': String(Buffer.byteLength(first.body)),
    })
    const row = await deliveryRow(db(keyward), queued.id)
    expect(first.body).toBe(row.body)
    expect(JSON.parse(first.body)).toEqual({
      id: queued.id,
      event: 'visibility.changed',
      createdAt: new Date(row.created_at).toISOString(),
      projectId: project.id,
      data: { shareOfVoice: 0.42 },
    })
    expect(row).toMatchObject({ state: 'delivered', attempts: 1, next_attempt_at: null })
    expect(row.finished_at).toBeGreaterThanOrEqual(row.created_at)
    expect(await attemptRows(db(keyward), queued.id)).toEqual([
      expect.objectContaining({ attempt: 1, status_code: 200, error: null, duration_ms: expect.any(Number) }),
    ])

    // Queued before the rotation, sent after it: the new secret signs it and the old one matches nothing.
    const [second] = await enqueue('action.created', { actionId: 'a-1' })
    const rotated = await call('POST', `/webhooks/${webhook.id}/rotate-secret`)
    expect(rotated.status).toBe(200)
    const newSecret = rotated.body.data.secret as string
    expect(newSecret).toMatch(/^[0-9a-f]{64}$/)
    expect(newSecret).not.toBe(webhook.secret)
    await keyward.webhookDispatcher.runDue()
    const [, sent] = await hooks.waitFor(2)
    if (!sent || !second) throw new Error('second delivery missing')
    expect(sent.body).toBe(second.body)
    expect(sent.headers['x-devtune-event']).toBe('action.created')
    expect(sent.headers['x-devtune-signature']).toBe(hmacHex(newSecret, sent.body))
    expect(sent.headers['x-devtune-signature']).not.toBe(hmacHex(webhook.secret, sent.body))

    expect(
      await enqueueWebhookEvent(keyward.storage, keyward.clock, {
        projectId: project.id,
        event: 'search-tracking.completed',
        data: {},
      }),
    ).toEqual([])
    expect(hooks.received).toHaveLength(2)
  })

  it('retries a failing receiver with growing gaps, logs every attempt, and fails after the sixth', async () => {
    const hooks = await receiver(() => 500)
    const { keyward, webhook, enqueue } = await withWebhook(hooks.url)
    keyward.webhookDispatcher.start()
    const [queued] = await enqueue('visibility.changed')
    if (!queued) throw new Error('nothing queued')
    const received = await hooks.waitFor(6)
    const row = await waitForState(db(keyward), queued.id, 'failed')

    for (const request of received) {
      expect(request.body).toBe(queued.body)
      expect(request.headers['x-devtune-signature']).toBe(hmacHex(webhook.secret, queued.body))
    }
    // Each gap is at least its scheduled wait (growing: 40, 80 … 640 ms). Only lower bounds: on a busy machine any
    // gap may run long, so one gap exceeding the next proves nothing wrong.
    const gaps = received.slice(1).map((r, i) => r.at - (received[i]?.at ?? 0))
    fastDelivery.retryDelaysMs?.forEach((delay, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(delay)
    })

    expect(row).toMatchObject({ attempts: 6, next_attempt_at: null })
    expect(row.finished_at).not.toBeNull()
    const attempts = await attemptRows(db(keyward), queued.id)
    expect(attempts.map((a) => [a.attempt, a.status_code, a.error])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [n, 500, null]),
    )
    await sleep(300)
    expect(hooks.received).toHaveLength(6)
  })

  it('ends a delivery at the first 2xx after failures', async () => {
    const answers = [500, 503, 204]
    const hooks = await receiver(() => answers.shift() ?? 418)
    const { keyward, enqueue } = await withWebhook(hooks.url)
    keyward.webhookDispatcher.start()
    const [queued] = await enqueue('action.created')
    if (!queued) throw new Error('nothing queued')
    const row = await waitForState(db(keyward), queued.id, 'delivered')
    expect(row).toMatchObject({ attempts: 3, next_attempt_at: null })
    expect((await attemptRows(db(keyward), queued.id)).map((a) => a.status_code)).toEqual([500, 503, 204])
    await sleep(100)
    expect(hooks.received).toHaveLength(3)
  })

  it('logs timeouts and refused connections as attempts without a status, and schedules a retry', async () => {
    const hanging = await receiver(() => 'hang')
    const slow = await withWebhook(hanging.url, { ...fastDelivery, timeoutMs: 150 })
    const [late] = await slow.enqueue('action.created')
    const [timedOut] = await slow.keyward.webhookDispatcher.runDue()
    expect(timedOut?.attempt).toMatchObject({ statusCode: null, error: 'timed out' })
    expect(timedOut?.attempt?.durationMs).toBeGreaterThanOrEqual(140)
    const row = await deliveryRow(db(slow.keyward), late?.id ?? '')
    expect(row).toMatchObject({ state: 'pending', attempts: 1 })
    expect(row.next_attempt_at).toBeGreaterThanOrEqual((timedOut?.attempt?.at ?? Number.NaN) + 40)

    const gone = await receiver()
    await gone.close()
    const refused = await withWebhook(gone.url)
    const [queued] = await refused.enqueue('visibility.changed')
    await refused.keyward.webhookDispatcher.runDue()
    expect(await attemptRows(db(refused.keyward), queued?.id ?? '')).toEqual([
      expect.objectContaining({
        attempt: 1,
        status_code: null,
        error: 'connection failed',
      }),
    ])
  })
})

describe.each(testDatabases)('deleting a webhook on $name', (database) => {
  it('cancels its pending deliveries, and still logs and counts the attempt that was in flight', async () => {
    // The receiver holds its answer until the delete has committed: the race that once lost the attempt, every time.
    let answer: (status: number) => void = () => {}
    const answered = new Promise<number>((resolve) => {
      answer = resolve
    })
    const hooks = await receiver(() => answered)
    const { keyward, call, webhook, enqueue } = await withWebhook(
      hooks.url,
      fastDelivery,
      await database.open(),
    )
    const [queued] = await enqueue('visibility.changed')
    if (!queued) throw new Error('nothing queued')

    const sending = keyward.webhookDispatcher.runDue()
    await hooks.waitFor(1)
    expect(await call('DELETE', `/webhooks/${webhook.id}`)).toEqual({ status: 200, body: { deleted: true } })
    expect(await deliveryRow(db(keyward), queued.id)).toMatchObject({ state: 'cancelled', attempts: 0 })
    answer(500)
    const [outcome] = await sending

    expect(outcome?.attempt).toMatchObject({ attempt: 1, statusCode: 500 })
    expect(await deliveryRow(db(keyward), queued.id)).toMatchObject({
      state: 'cancelled',
      attempts: 1,
      next_attempt_at: null,
    })
    expect(await attemptRows(db(keyward), queued.id)).toEqual([
      expect.objectContaining({ attempt: 1, status_code: 500, error: null }),
    ])
    expect((await call('GET', '/webhooks')).body.data.webhooks).toEqual([])
    expect(await enqueue('visibility.changed')).toEqual([])
    expect(await keyward.webhookDispatcher.runDue()).toEqual([])
    expect(hooks.received).toHaveLength(1)
  })
})
