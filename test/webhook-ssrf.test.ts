import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SendFailure } from '../src/core/webhook-delivery.ts'
import { checkWebhookUrl } from '../src/core/webhooks.ts'
import { guardedLookup } from '../src/transport/guarded-agent.ts'
import { createWebhookSender } from '../src/transport/webhook-sender.ts'
import {
  countingServer,
  localhostNames,
  publicNames,
  refusedHosts,
  refusedNames,
  tableResolver,
} from './support/ssrf.ts'
import { restClient, webhookWorld } from './support/webhooks.ts'

const world = webhookWorld()
let call: Awaited<ReturnType<typeof restClient>>['call']
let listActive: () => Promise<unknown[]>
let target: Awaited<ReturnType<typeof countingServer>>

beforeAll(async () => {
  const keyward = await world.compose(world.newDatabaseFile(), undefined, false)
  const client = await restClient(keyward)
  world.defer(() => client.app.close())
  call = client.call
  listActive = () => keyward.storage.webhooks.listActive(client.project.id)
  target = await countingServer()
  world.defer(target.close)
})
afterAll(() => world.cleanUp())

const create = (url: string) => call('POST', '/webhooks', { url, events: ['visibility.changed'] })
const strict = createWebhookSender({ allowPrivate: false, resolve: tableResolver() })
/** Rejects with the SendFailure, or resolves with the status if a request went through. */
const sendTo = (sender: ReturnType<typeof createWebhookSender>, url: string) =>
  sender.send(url, { 'content-type': 'application/json' }, '{}', 10_000).catch((error: unknown) => error)

describe('webhook URLs that point at non-public addresses (SSRF)', () => {
  it('has a table of at least 60 spellings', () => {
    expect(refusedHosts.length + localhostNames.length).toBeGreaterThanOrEqual(60)
  })

  it.each([...refusedHosts, ...localhostNames.map((name) => [name, 'localhost'] as const)])(
    'refuses https://%s at creation (%s) and stores nothing',
    async (host) => {
      const response = await create(`https://${host}:4160/a`)
      expect(response).toEqual({
        status: 400,
        body: {
          error: 'bad_request',
          message: 'Invalid request body: url must point to a public host',
          status: 400,
        },
      })
      expect(await listActive()).toEqual([])
    },
  )

  it.each(refusedHosts)('refuses https://%s at send time (%s), before any connection', async (host) => {
    const failure = await sendTo(strict, `https://${host}:${target.port}/a`)
    expect(failure).toBeInstanceOf(SendFailure)
    expect(failure).toMatchObject({ failure: 'address not allowed' })
    expect(target.connections()).toBe(0)
  })

  it.each(Object.entries(refusedNames))(
    'accepts the name %s at creation and refuses it when connecting (resolves to %j)',
    async (name) => {
      expect(checkWebhookUrl(`https://${name}/a`, false)).toBe(`https://${name}/a`)
      const failure = await sendTo(strict, `https://${name}:${target.port}/a`)
      expect(failure).toBeInstanceOf(SendFailure)
      expect(failure).toMatchObject({ failure: 'connection failed' })
      expect((failure as Error).message).toContain(`${name} resolves to`)
      expect(target.connections()).toBe(0)
    },
  )

  it.each(Object.entries(publicNames))(
    'lets the name %s through the lookup (resolves to %j)',
    async (name, expected) => {
      const lookup = guardedLookup({ allowPrivate: false, resolve: tableResolver() })
      const addresses = await new Promise((resolve, reject) =>
        lookup(name, { all: true }, (error, result) => (error ? reject(error) : resolve(result))),
      )
      expect(addresses).toEqual(
        expected.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      )
    },
  )

  it.each([
    ['8.8.8.8', 'https://8.8.8.8/a'],
    ['134744072', 'https://8.8.8.8/a'],
    ['0x08080808', 'https://8.8.8.8/a'],
    ['[2606:4700::1111]', 'https://[2606:4700::1111]/a'],
    ['[::ffff:8.8.8.8]', 'https://[::ffff:808:808]/a'],
    ['[64:ff9b::8.8.8.8]', 'https://[64:ff9b::808:808]/a'],
    ['[2002:808:808::1]', 'https://[2002:808:808::1]/a'],
    ['hooks.example.com', 'https://hooks.example.com/a'],
  ])('accepts the public host %s, stored as %s', async (host, stored) => {
    const response = await create(`https://${host}/a`)
    expect(response.status).toBe(201)
    expect(response.body.data.url).toBe(stored)
  })
})

describe('no connection to a refused target', () => {
  const loopback = {
    'inside.test': ['127.0.0.1'],
    'mapped-inside.test': ['::ffff:127.0.0.1'],
    'anywhere.test': ['0.0.0.0'],
  }
  const urls = (port: number) => [
    `http://127.0.0.1:${port}/a`,
    `http://[::ffff:127.0.0.1]:${port}/a`,
    `http://[::ffff:7f00:1]:${port}/a`,
    `http://0.0.0.0:${port}/a`,
    `http://[::ffff:0.0.0.0]:${port}/a`,
    ...Object.keys(loopback).map((name) => `http://${name}:${port}/a`),
  ]

  it('opens none while the guard is on, and one for each when private hosts are allowed', async () => {
    const server = await countingServer()
    world.defer(server.close)
    const guarded = createWebhookSender({ allowPrivate: false, resolve: tableResolver(loopback) })
    for (const url of urls(server.port)) expect(await sendTo(guarded, url)).toBeInstanceOf(SendFailure)
    expect(server.connections()).toBe(0)

    // The same URLs do reach the server without the guard: the count above could have moved.
    const open = createWebhookSender({ allowPrivate: true, resolve: tableResolver(loopback) })
    for (const url of urls(server.port)) expect(await sendTo(open, url)).toEqual({ status: 204 })
    expect(server.connections()).toBe(urls(server.port).length)
  })
})
