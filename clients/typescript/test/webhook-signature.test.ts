import { createHmac } from 'node:crypto'
import { expect, it } from 'vitest'
import { signWebhookBody } from '../../../src/core/webhook-delivery.ts'
import { verifyWebhookSignature } from '../src/index.ts'

const secret = 'a1b2c3d4'.repeat(8)
const body = '{"id":"d1","event":"visibility.changed","data":{"previousMetrics":null}}'

it("accepts the server's own signature of the raw body, as text or bytes", () => {
  const header = signWebhookBody(secret, body)
  expect(verifyWebhookSignature(body, header, secret)).toBe(true)
  expect(verifyWebhookSignature(Buffer.from(body), header.toUpperCase(), secret)).toBe(true)
})

it.each([
  ['another secret', createHmac('sha256', 'other').update(body).digest('hex'), body],
  ['a re-serialised body', signWebhookBody(secret, body), JSON.stringify(JSON.parse(body), null, 2)],
  ['a sha256= prefix', `sha256=${signWebhookBody(secret, body)}`, body],
  ['a truncated digest', signWebhookBody(secret, body).slice(0, 63), body],
  ['no header', undefined, body],
  ['an empty header', '', body],
])('refuses %s', (_name, header, received) => {
  expect(verifyWebhookSignature(received, header, secret)).toBe(false)
})
