import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { managementEvent } from '../src/core/events.ts'
import { hashKey } from '../src/core/key-format.ts'
import { operator } from '../src/core/model.ts'
import { testDatabases } from './support/databases.ts'
import { teamWithProject, testClock } from './support/keyward.ts'
import { keyEventReceiver, sharedDatabase } from './support/notifications.ts'
import { hmacHex } from './support/receiver.ts'

const hour = 3_600_000

describe.each(testDatabases.map((d) => d.name))('api_key.* webhook events on %s', (kind) => {
  let world: ReturnType<typeof sharedDatabase>
  beforeEach(() => {
    world = sharedDatabase(kind)
  })
  afterEach(() => world.cleanUp())

  it('fires created, rotated, exposed and revoked once each, signed, with the key and actor, no secret', async () => {
    const clock = testClock()
    const keyward = await world.node(clock)
    const { project, owner, account } = await teamWithProject(keyward)
    const { receiver, webhook } = await keyEventReceiver(world, keyward, owner, project.id)

    const created = await keyward.services.keys.create(owner, {
      projectId: project.id,
      name: 'CI deploys',
      scopes: ['actions.read', 'webhooks.read'],
      expires: '90d',
    })
    // What the rotate and leak use-cases write: only history, in the transaction of their change.
    const rotatedAt = clock()
    const previousKeyValidUntil = rotatedAt + 24 * hour
    await keyward.storage.transaction(async (stores) => {
      await stores.events.append(
        managementEvent(owner, rotatedAt, {
          accountId: account.id,
          action: 'key.rotated',
          targetType: 'key',
          targetId: created.id,
          details: { graceSeconds: 86_400, previousKeyValidUntil },
        }),
      )
    })
    await keyward.storage.transaction(async (stores) => {
      await stores.events.append(
        managementEvent(operator, clock(), {
          accountId: account.id,
          action: 'key.exposed',
          targetType: 'key',
          targetId: created.id,
          details: {
            url: 'https://github.com/acme/app/blob/main/.env',
            source: 'github',
            response: 'notify',
          },
        }),
      )
    })
    await keyward.services.keys.revoke(owner, { keyId: created.id })

    const relayed = await keyward.lifecycle.relay()
    expect(relayed.map((n) => [n.event, n.keyId, n.deliveries])).toEqual([
      ['api_key.created', created.id, 1],
      ['api_key.rotated', created.id, 1],
      ['api_key.exposed', created.id, 1],
      ['api_key.revoked', created.id, 1],
    ])
    expect(await keyward.lifecycle.relay()).toEqual([]) // relayed once: the outbox is empty
    expect(await keyward.webhookDispatcher.runDue()).toHaveLength(4)
    const requests = await receiver.waitFor(4)
    expect(receiver.received).toHaveLength(4)

    // Deliveries are sent in parallel, so they may arrive in any order: one of each event.
    const byEvent = new Map(requests.map((r) => [r.headers['x-devtune-event'], JSON.parse(r.body)]))
    const order = ['api_key.created', 'api_key.rotated', 'api_key.exposed', 'api_key.revoked']
    expect([...byEvent.keys()].sort()).toEqual([...order].sort())
    const bodies = order.map((event) => byEvent.get(event))
    for (const request of requests) {
      expect(request.headers['x-devtune-signature']).toBe(hmacHex(webhook.secret, request.body))
      // Neither the secret, nor its hash, nor any part of the secret past the display prefix.
      expect(request.body).not.toContain(created.key)
      expect(request.body).not.toContain(hashKey(created.key))
      expect(request.body).not.toContain(created.key.slice(created.prefix.length, created.prefix.length + 16))
    }
    const keyFields = {
      id: created.id,
      name: 'CI deploys',
      prefix: created.prefix,
      projectId: project.id,
      scopes: ['actions.read', 'webhooks.read'],
      expiresAt: new Date(created.expiresAt ?? 0).toISOString(),
    }
    const ownerActor = { type: 'user', id: owner.userId }
    expect(bodies[0]).toEqual({
      id: expect.any(String),
      event: 'api_key.created',
      createdAt: new Date(clock()).toISOString(),
      projectId: project.id,
      data: { key: keyFields, actor: ownerActor, occurredAt: new Date(created.createdAt).toISOString() },
    })
    expect(bodies[1].data).toEqual({
      key: keyFields,
      actor: ownerActor,
      occurredAt: new Date(rotatedAt).toISOString(),
      previousKeyValidUntil: new Date(previousKeyValidUntil).toISOString(),
      graceSeconds: 86_400,
    })
    expect(bodies[2].data).toEqual({
      key: keyFields,
      actor: { type: 'operator', id: null },
      occurredAt: expect.any(String),
      url: 'https://github.com/acme/app/blob/main/.env',
      source: 'github',
    })
    expect(bodies[3].data).toMatchObject({ key: keyFields, actor: ownerActor })
  })

  it('sends nothing to webhooks of other projects or other events, and keeps nothing waiting', async () => {
    const keyward = await world.node(testClock())
    const { project, owner, account } = await teamWithProject(keyward)
    const other = await keyward.services.projects.create(owner, { accountId: account.id, name: 'Other' })
    const { receiver } = await keyEventReceiver(world, keyward, owner, other.id)
    await keyward.services.keys.create(owner, { projectId: project.id, name: 'Here' })
    const [notice] = await keyward.lifecycle.relay()
    expect(notice).toMatchObject({ event: 'api_key.created', deliveries: 0, emails: 0 })
    expect(await keyward.webhookDispatcher.runDue()).toEqual([])
    expect(receiver.received).toEqual([])
    expect(await keyward.storage.notices.nextKeyEvents(10)).toEqual([])
  })

  // Two nodes in one process on one SQLite file would wait on each other's write lock in the same thread: the race
  // is a Postgres matter (SQLite deployments are one node).
  it.skipIf(kind === 'sqlite')('relays each event on exactly one of two nodes racing for it', async () => {
    const clock = testClock()
    const nodeA = await world.node(clock)
    const nodeB = await world.node(clock)
    const { project, owner } = await teamWithProject(nodeA)
    const { receiver } = await keyEventReceiver(world, nodeA, owner, project.id)
    for (let i = 0; i < 10; i += 1)
      await nodeA.services.keys.create(owner, { projectId: project.id, name: `Key ${i}` })
    const [a, b] = await Promise.all([nodeA.lifecycle.relay(), nodeB.lifecycle.relay()])
    const keyIds = [...a, ...b].map((n) => n.keyId)
    expect(keyIds).toHaveLength(10)
    expect(new Set(keyIds).size).toBe(10)
    await Promise.all([nodeA.webhookDispatcher.runDue(), nodeB.webhookDispatcher.runDue()])
    await receiver.waitFor(10)
    expect(receiver.received).toHaveLength(10)
  })
})
