import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'

/** The app's redirect URI: a loopback listener, as Claude Code and the MCP SDK's examples use. */
export function callbackReceiver() {
  const arrived: URL[] = []
  const waiting: ((url: URL) => void)[] = []
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    // Only the redirect itself counts: the browser may ask this host for other things (a favicon).
    if (url.pathname === '/callback') {
      const next = waiting.shift()
      if (next) next(url)
      else arrived.push(url)
    }
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<title>Connected</title><p>Back in the app.</p>')
  })
  return {
    server,
    /** The next request the browser makes to the redirect URI. */
    next: () => {
      const first = arrived.shift()
      return first ? Promise.resolve(first) : new Promise<URL>((resolve) => waiting.push(resolve))
    },
  }
}

/** Listens on a loopback port; `redirectUri` is the callback address the app registers. */
export async function listeningReceiver() {
  const receiver = callbackReceiver()
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve))
  const redirectUri = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/callback`
  return {
    ...receiver,
    redirectUri,
    async close() {
      receiver.server.closeAllConnections()
      await new Promise((resolve) => receiver.server.close(resolve))
    },
  }
}

export /** The receiver answered the redirect; the page's own navigation to it must also end before the page is used again. */
function landedOnCallback(page: Page): Promise<void> {
  return page.waitForURL((url) => url.pathname === '/callback')
}
