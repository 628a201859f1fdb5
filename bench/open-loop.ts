import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'

/**
 * A fixed-rate (open-loop) HTTP/1.1 load generator for latency at a given throughput. Requests are due at even
 * intervals whatever the server does, and each one's latency counts from when it was due, not from when a free
 * connection sent it, so a stall shows in the percentiles instead of slowing the load down (autocannon's
 * `overallRate` sends each connection's quota for a second back to back and then waits: bursts, not a rate).
 */
export interface OpenLoopOptions {
  url: string
  /** Requests per second. */
  rate: number
  durationMs: number
  /** Paths and headers, taken in turn. */
  requests: { path: string; headers: Record<string, string> }[]
  connections?: number
}

export interface OpenLoopResult {
  sent: number
  completed: number
  non2xx: number
  /** Milliseconds, from when each request was due to its whole response. */
  p50: number
  p99: number
  p999: number
  max: number
}

interface Connection {
  socket: Socket
  busy: boolean
  dueAt: number
  buffered: Buffer
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { hostname: host, port } = new URL(options.url)
  const payloads = options.requests.map((r) =>
    Buffer.from(
      `GET ${r.path} HTTP/1.1\r\nHost: ${host}\r\n${Object.entries(r.headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('')}\r\n`,
    ),
  )
  const expected = Math.ceil((options.rate * options.durationMs) / 1000)
  const latencies = new Float64Array(expected)
  let completed = 0
  let non2xx = 0
  let issued = 0
  let next = 0
  const waiting: number[] = [] // due times of requests no connection was free for
  const idle: Connection[] = []
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    finish = resolve
  })

  const send = (connection: Connection, dueAt: number) => {
    connection.busy = true
    connection.dueAt = dueAt
    connection.socket.write(payloads[next++ % payloads.length] as Buffer)
  }

  const onData = (connection: Connection, chunk: Buffer) => {
    connection.buffered = connection.buffered.length ? Buffer.concat([connection.buffered, chunk]) : chunk
    const headerEnd = connection.buffered.indexOf('\r\n\r\n')
    if (headerEnd < 0) return
    const head = connection.buffered.toString('latin1', 0, headerEnd)
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
    if (connection.buffered.length < headerEnd + 4 + length) return
    connection.buffered = connection.buffered.subarray(headerEnd + 4 + length)
    const status = Number(head.slice(9, 12))
    if (status < 200 || status > 299) non2xx++
    latencies[completed++] = performance.now() - connection.dueAt
    connection.busy = false
    const due = waiting.shift()
    if (due !== undefined) send(connection, due)
    else idle.push(connection)
    if (completed === expected) finish()
  }

  const connections = await Promise.all(
    Array.from(
      { length: options.connections ?? 64 },
      () =>
        new Promise<Connection>((resolve, reject) => {
          const socket = connect({ host, port: Number(port), noDelay: true })
          const connection: Connection = { socket, busy: false, dueAt: 0, buffered: Buffer.alloc(0) }
          socket.on('data', (chunk) => onData(connection, chunk))
          socket.once('connect', () => resolve(connection))
          socket.once('error', reject)
        }),
    ),
  )
  idle.push(...connections)

  const start = performance.now()
  const tick = () => {
    const now = performance.now()
    const due = Math.min(expected, Math.floor(((now - start) * options.rate) / 1000))
    while (issued < due) {
      const dueAt = start + (issued * 1000) / options.rate
      issued++
      const connection = idle.pop()
      if (connection) send(connection, dueAt)
      else waiting.push(dueAt)
    }
    if (issued < expected) setImmediate(tick)
  }
  setImmediate(tick)
  // A server that stops answering must not hang the benchmark: whatever has not arrived a second after the last
  // request was due is left out (and shows as `completed` < `sent`).
  await Promise.race([
    finished,
    new Promise<void>((resolve) => setTimeout(resolve, options.durationMs + 1000)),
  ])
  for (const connection of connections) connection.socket.destroy()

  const sorted = latencies.subarray(0, completed).sort()
  const at = (q: number) => sorted[Math.min(completed - 1, Math.floor(q * completed))] ?? Number.NaN
  return {
    sent: issued,
    completed,
    non2xx,
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    max: sorted[completed - 1] ?? Number.NaN,
  }
}
