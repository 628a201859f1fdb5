import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { enqueueWebhookEvent } from '../src/core/webhook-delivery.ts'
import { composeKeyward } from '../src/main.ts'
import { testDatabases } from './support/databases.ts'
import { teamWithProject } from './support/keyward.ts'
import { hmacHex, startReceiver } from './support/receiver.ts'
import { attemptRows, restClient, waitForState, webhookWorld } from './support/webhooks.ts'

let world: ReturnType<typeof webhookWorld>
beforeEach(() => {
  world = webhookWorld()
})
afterEach(() => world.cleanUp())

describe('the delivery queue', () => {
  it('sends a delivery queued before a restart once the new process starts its dispatcher', async () => {
    const hooks = await startReceiver()
    world.defer(hooks.close)
    const file = world.newDatabaseFile()

    const before = await world.compose(file)
    const client = await restClient(before)
    const created = await client.call('POST', '/webhooks', { url: hooks.url, events: ['action.updated'] })
    const secret = created.body.data.secret as string
    const [queued] = await enqueueWebhookEvent(before.storage, before.clock, {
      projectId: client.project.id,
      event: 'action.updated',
      data: { actionId: 'a-7', status: 'done' },
    })
    if (!queued) throw new Error('nothing queued')
    await client.app.close()
    await before.close()
    expect(hooks.received).toHaveLength(0)

    const after = await world.compose(file)
    after.webhookDispatcher.start()
    const [request] = await hooks.waitFor(1)
    expect(request?.body).toBe(queued.body)
    expect(request?.headers['x-devtune-signature']).toBe(hmacHex(secret, queued.body))
    expect(await waitForState(after.database, queued.id, 'delivered')).toMatchObject({ attempts: 1 })
  })

  it('lets two dispatchers on one database send each delivery exactly once', async () => {
    const hooks = await startReceiver()
    world.defer(hooks.close)
    const file = world.newDatabaseFile()
    const options = { retryDelaysMs: [60_000], batchSize: 100, leaseMs: 60_000, timeoutMs: 5000 }
    const nodeA = await world.compose(file, options)
    const nodeB = await world.compose(file, options)
    const { project, owner } = await teamWithProject(nodeA)
    for (const path of ['/a', '/b', '/c']) {
      const url = `${hooks.url}${path}`
      await nodeA.services.webhooks.create(owner, {
        projectId: project.id,
        url,
        events: ['visibility.changed'],
      })
    }
    const queued = []
    for (let i = 0; i < 10; i++) {
      const input = { projectId: project.id, event: 'visibility.changed' as const, data: { i } }
      queued.push(...(await enqueueWebhookEvent(nodeA.storage, nodeA.clock, input)))
    }
    expect(queued).toHaveLength(30)

    const [a, b] = await Promise.all([nodeA.webhookDispatcher.runDue(), nodeB.webhookDispatcher.runDue()])
    expect((a?.length ?? 0) + (b?.length ?? 0)).toBe(30)
    const envelopeIds = hooks.received.map((r) => JSON.parse(r.body).id as string)
    expect(envelopeIds.sort()).toEqual(queued.map((d) => d.id).sort())
    for (const delivery of queued) {
      expect(await attemptRows(nodeA.database, delivery.id)).toHaveLength(1)
    }
  })
})

describe.each(testDatabases)('delivery store on $name', (database) => {
  it('claims a due delivery once, and settles it only under the lease it holds, and counts every attempt', async () => {
    const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), allowHttpWebhooks: false }
    const keyward = await composeKeyward(config, { database: await database.open() })
    world.defer(() => keyward.close())
    const { project, owner } = await teamWithProject(keyward)
    const webhook = await keyward.services.webhooks.create(owner, {
      projectId: project.id,
      url: 'https://hooks.example.com/keyward',
      events: ['action.created'],
    })
    const [queued] = await enqueueWebhookEvent(keyward.storage, keyward.clock, {
      projectId: project.id,
      event: 'action.created',
      data: {},
    })
    if (!queued) throw new Error('nothing queued')
    const store = keyward.storage.deliveries
    const due = queued.createdAt
    expect((await store.listDue(due, 10)).map((d) => d.id)).toEqual([queued.id])
    expect(await store.listDue(due - 1, 10)).toEqual([])

    const lease = due + 60_000
    expect(await store.claim(queued.id, due, lease)).toBe(true)
    expect(await store.claim(queued.id, due, lease + 1)).toBe(false)
    expect(await store.listDue(due + 1000, 10)).toEqual([])

    const outcome = { state: 'pending' as const, nextAttemptAt: due + 5000, finishedAt: null }
    expect(await store.settle(queued.id, lease + 1, outcome)).toBe(false)
    expect(await store.settle(queued.id, lease, outcome)).toBe(true)
    expect(await store.countAttempt(queued.id)).toBe(1)
    expect(await store.findById(queued.id)).toEqual({ ...queued, attempts: 1, nextAttemptAt: due + 5000 })

    // Cancelled under a second attempt's lease: the attempt still counts, and the delivery stays cancelled.
    expect(await store.claim(queued.id, due + 5000, lease)).toBe(true)
    expect(await store.cancelPending(webhook.id, due + 6000)).toBe(1)
    expect(await store.countAttempt(queued.id)).toBe(2)
    expect(await store.settle(queued.id, lease, outcome)).toBe(false)
    expect(await store.findById(queued.id)).toEqual({
      ...queued,
      state: 'cancelled',
      attempts: 2,
      nextAttemptAt: null,
      finishedAt: due + 6000,
    })
  })
})
