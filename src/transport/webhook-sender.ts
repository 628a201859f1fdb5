import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import { Agent, fetch } from 'undici'
import type { WebhookSender } from '../core/webhook-delivery.ts'
import { isPrivateHost } from '../core/webhooks.ts'

export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void

const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback)

/**
 * Sends webhook POSTs. Redirects are not followed: a receiver cannot bounce a signed delivery to another host (an
 * internal one, say), and a 3xx counts as a failed attempt. Unless private hosts are allowed
 * (`KEYWARD_ALLOW_HTTP_WEBHOOKS=1`), every address a receiver's name resolves to is checked when the connection is
 * made, so a public name that points inside the network (or is re-pointed there later) is refused too.
 */
export function createWebhookSender(options: { allowPrivate: boolean; resolve?: Resolver }): WebhookSender {
  const resolve = options.resolve ?? systemResolver
  // Node's connect calls this for names (not for literal addresses, which are checked before sending).
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      const first = addresses?.[0]
      if (error) return callback(error, '', 0)
      if (!options.allowPrivate && addresses.some((a) => isPrivateHost(a.address)))
        return callback(new Error(`${hostname} resolves to a private address`), '', 0)
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0)
      return lookupOptions.all ? callback(null, addresses) : callback(null, first.address, first.family)
    })
  }
  const dispatcher = new Agent({ connect: { lookup } })

  return {
    async send(url, headers, body, timeoutMs) {
      const { hostname } = new URL(url)
      if (!options.allowPrivate && isIP(hostname.replace(/^\[|\]$/g, '')) && isPrivateHost(hostname)) {
        throw new Error(`${hostname} is a private address`)
      }
      let response: Awaited<ReturnType<typeof fetch>>
      try {
        response = await fetch(url, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          dispatcher,
        })
      } catch (error) {
        throw new Error(describeFailure(error, timeoutMs))
      }
      // The body is of no interest; dropping it frees the connection for reuse.
      await response.body?.cancel().catch(() => {})
      return { status: response.status }
    },
  }
}

/** fetch says only "fetch failed"; the reason (refused, reset, DNS, a private address) is in its cause. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`
  }
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message
  return error instanceof Error ? error.message : String(error)
}
