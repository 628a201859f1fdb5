import { createServer, request as forward, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A loopback reverse proxy that adds `Authorization: Bearer <key>` to every request: for MCP tools (the conformance
 * suite) that cannot send a header themselves. The server behind it still checks the key on every request.
 */
export async function authProxy(
  target: string,
  key: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target)
  const server: Server = createServer((incoming, outgoing) => {
    const proxied = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, authorization: `Bearer ${key}` },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    proxied.on('error', () => outgoing.destroy())
    incoming.pipe(proxied)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://localhost:${port}${upstream.pathname}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
