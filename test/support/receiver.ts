import { createHmac } from 'node:crypto'
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

/**
 * A real webhook receiver on 127.0.0.1 and a free port. `answer` picks each response's status; `'hang'` never
 * answers (for timeouts).
 */
export async function startReceiver(answer: (request: ReceivedRequest) => number | 'hang' = () => 200) {
  const received: ReceivedRequest[] = []
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
      const status = answer(request)
      if (status === 'hang') return
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks/keyward`,
    received,
    /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
    async waitFor(count: number, timeoutMs = 5000): Promise<ReceivedRequest[]> {
      const deadline = Date.now() + timeoutMs
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`received ${received.length} of ${count} requests`)
        await new Promise((resolve) => setTimeout(resolve, 5))
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
