import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWebhookSender, type Resolver } from '../src/transport/webhook-sender.ts'
import { type Receiver, startReceiver } from './support/receiver.ts'

let receiver: Receiver
beforeAll(async () => {
  receiver = await startReceiver()
})
afterAll(() => receiver.close())

/** A resolver that knows two names: one public-looking name that points at the loopback receiver, one that does not. */
const resolve: Resolver = (hostname, _options, callback) => {
  if (hostname === 'inside.example.test') return callback(null, [{ address: '127.0.0.1', family: 4 }])
  if (hostname === 'mixed.example.test')
    return callback(null, [
      { address: '8.8.8.8', family: 4 },
      { address: '::ffff:10.0.0.5', family: 6 },
    ])
  return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), [])
}

const at = (host: string) => receiver.url.replace('127.0.0.1', host)
const post = (sender: ReturnType<typeof createWebhookSender>, url: string) =>
  sender.send(url, { 'content-type': 'application/json' }, '{"ok":true}', 10_000)

describe('webhook sender and private addresses (SSRF)', () => {
  it('refuses a name that resolves to a private address, and sends nothing', async () => {
    const sender = createWebhookSender({ allowPrivate: false, resolve })
    const before = receiver.received.length
    // What members see is generic; the message (for the server log) says why.
    await expect(post(sender, at('inside.example.test'))).rejects.toMatchObject({
      failure: 'connection failed',
      message: expect.stringContaining('inside.example.test resolves to 127.0.0.1 (loopback)'),
    })
    await expect(post(sender, at('mixed.example.test'))).rejects.toMatchObject({
      failure: 'connection failed',
      message: expect.stringContaining('mixed.example.test resolves to ::ffff:10.0.0.5 (private)'),
    })
    await expect(post(sender, receiver.url)).rejects.toMatchObject({
      failure: 'address not allowed',
      message: expect.stringContaining('127.0.0.1 is loopback'),
    })
    expect(receiver.received.length).toBe(before)
  })

  it('sends to the same place when private hosts are allowed (KEYWARD_ALLOW_HTTP_WEBHOOKS=1)', async () => {
    const sender = createWebhookSender({ allowPrivate: true, resolve })
    const before = receiver.received.length
    expect(await post(sender, at('inside.example.test'))).toEqual({ status: 200 })
    expect(await post(sender, receiver.url)).toEqual({ status: 200 })
    expect(receiver.received.length).toBe(before + 2)
  })

  it('reports a name that does not resolve', async () => {
    const sender = createWebhookSender({ allowPrivate: false, resolve })
    await expect(post(sender, 'https://nowhere.example.test/hook')).rejects.toMatchObject({
      failure: 'connection failed',
      message: expect.stringContaining('ENOTFOUND'),
    })
  })
})
