// A webhook receiver for Keyward (DevTune-compatible), with nothing but Node's standard library.
//
//   WEBHOOK_SECRET=<the secret shown when the webhook was created> PORT=8787 node examples/webhook-receiver.mjs
//
// Every delivery is a POST of JSON whose raw body is signed: `X-DevTune-Signature` is the HMAC-SHA256 hex digest
// of the body, keyed with the subscription's secret. Check it on the bytes as received, before parsing: a
// re-serialised body is not the signed text. Answer 2xx quickly; anything else (or no answer) is retried, so the
// same delivery can arrive twice: drop duplicates by its `id`.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'

const secret = process.env.WEBHOOK_SECRET
if (!secret) {
  console.error('Set WEBHOOK_SECRET to the signing secret of the webhook')
  process.exit(1)
}
const maxBodyBytes = 1024 * 1024
const seen = new Set() // delivery ids already handled (keep them in a database in production)

function signatureMatches(body, header) {
  if (typeof header !== 'string' || !/^[0-9a-f]{64}$/i.test(header)) return false
  const expected = createHmac('sha256', secret).update(body).digest()
  return timingSafeEqual(expected, Buffer.from(header, 'hex'))
}

/** One JSON line per outcome on stdout, so that a log collector (or a test) can read them. */
const log = (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`)

const server = createServer((request, response) => {
  if (request.method !== 'POST') {
    response.writeHead(405, { allow: 'POST' }).end()
    return
  }
  const chunks = []
  let size = 0
  request.on('data', (chunk) => {
    size += chunk.length
    if (size > maxBodyBytes) request.destroy()
    else chunks.push(chunk)
  })
  request.on('end', () => {
    const body = Buffer.concat(chunks)
    if (!signatureMatches(body, request.headers['x-devtune-signature'])) {
      log({ outcome: 'rejected', reason: 'bad signature' })
      response.writeHead(401).end()
      return
    }
    const delivery = JSON.parse(body.toString('utf8'))
    response.writeHead(204).end() // acknowledge first; do the work after
    if (seen.has(delivery.id)) return log({ outcome: 'duplicate', id: delivery.id })
    seen.add(delivery.id)
    log({
      outcome: 'accepted',
      id: delivery.id,
      event: request.headers['x-devtune-event'],
      data: delivery.data,
    })
  })
})

server.listen(Number(process.env.PORT ?? 8787), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address()
  log({ listening: `http://${address}:${port}/` })
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
