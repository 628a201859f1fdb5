import { createHmac } from 'node:crypto'
import { EventEmitter, once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  /** Date.now() when the whole body had arrived. */
  at: number
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** The HMAC a receiver computes itself to check `X-DevTune-Signature`. */
export const hmacHex = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('hex')

export type Answer = number | 'hang'

/**
 * A real webhook receiver on 127.0.0.1 and a free port. `answer` picks each response's status; `'hang'` never
 * answers (for timeouts), and a promise holds the response until it settles (to order a race by events).
 */
export async function startReceiver(
  answer: (request: ReceivedRequest) => Answer | Promise<Answer> = () => 200,
) {
  const received: ReceivedRequest[] = []
  const arrivals = new EventEmitter()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request = {
        at: Date.now(),
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      received.push(request)
      arrivals.emit('request')
      void Promise.resolve(answer(request)).then((status) => {
        if (status !== 'hang') res.writeHead(status, { 'content-type': 'text/plain' }).end('ok')
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks/keyward`,
    received,
    /** Resolves as the `count`th request arrives; rejects after `timeoutMs` (a backstop, not a measure). */
    async waitFor(count: number, timeoutMs = 20_000): Promise<ReceivedRequest[]> {
      const signal = AbortSignal.timeout(timeoutMs)
      while (received.length < count) {
        await once(arrivals, 'request', { signal }).catch(() => {
          throw new Error(`received ${received.length} of ${count} requests`)
        })
      }
      return received.slice(0, count)
    },
    async close(): Promise<void> {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>
