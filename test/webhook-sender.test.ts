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
      { address: '203.0.113.7', family: 4 },
      { address: '::ffff:10.0.0.5', family: 6 },
    ])
  return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), [])
}

const at = (host: string) => receiver.url.replace('127.0.0.1', host)
const post = (sender: ReturnType<typeof createWebhookSender>, url: string) =>
  sender.send(url, { 'content-type': 'application/json' }, '{"ok":true}', 2000)

describe('webhook sender and private addresses (SSRF)', () => {
  it('refuses a name that resolves to a private address, and sends nothing', async () => {
    const sender = createWebhookSender({ allowPrivate: false, resolve })
    const before = receiver.received.length
    await expect(post(sender, at('inside.example.test'))).rejects.toThrow(
      'inside.example.test resolves to a private address',
    )
    await expect(post(sender, at('mixed.example.test'))).rejects.toThrow('resolves to a private address')
    await expect(post(sender, receiver.url)).rejects.toThrow('127.0.0.1 is a private address')
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
    await expect(post(sender, 'https://nowhere.example.test/hook')).rejects.toThrow('ENOTFOUND')
  })
})
