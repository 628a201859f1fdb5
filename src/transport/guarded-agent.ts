import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import { Agent, buildConnector, fetch } from 'undici'
import { addressRange, type OutboundFailure } from '../core/public-address.ts'

export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void

export interface GuardOptions {
  /** `KEYWARD_ALLOW_HTTP_WEBHOOKS=1`: any address, for loopback receivers in development and tests. */
  allowPrivate: boolean
  /** The system resolver unless given (tests give names their own addresses). */
  resolve?: Resolver
}

const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback)

/** A connection refused because an address is not globally routable unicast; `resolved` if a name led to it. */
export class AddressNotAllowedError extends Error {
  readonly code = 'ERR_ADDRESS_NOT_ALLOWED'
  constructor(
    message: string,
    readonly resolved: boolean,
  ) {
    super(message)
    this.name = 'AddressNotAllowedError'
  }
}

/** What Node's connect calls for a name: every address it resolves to must pass, or none is connected to. */
export function guardedLookup({ allowPrivate, resolve = systemResolver }: GuardOptions): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0)
      const refused = allowPrivate ? [] : addresses.filter((a) => addressRange(a.address) !== 'unicast')
      const first = addresses[0]
      if (refused.length > 0) {
        const list = refused.map((a) => `${a.address} (${addressRange(a.address) ?? 'not an address'})`)
        return callback(new AddressNotAllowedError(`${hostname} resolves to ${list.join(', ')}`, true), '', 0)
      }
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0)
      return options.all ? callback(null, addresses) : callback(null, first.address, first.family)
    })
  }
}

/**
 * The one dispatcher for outbound HTTP to URLs that users supply (webhooks; OAuth client metadata documents).
 * Every address is judged as the connection is made: a literal one before the socket opens, each address a name
 * resolves to inside the lookup. So a name re-pointed between a check and the connection (DNS rebinding) gains
 * nothing, and no spelling of a URL reaches an address the judge did not see.
 */
export function createGuardedAgent(options: GuardOptions): Agent {
  const connect = buildConnector({ lookup: guardedLookup(options) })
  return new Agent({
    connect(target, callback) {
      // undici passes an IPv6 literal without its brackets; Node's connect skips the lookup for any literal.
      const range = isIP(target.hostname) ? (addressRange(target.hostname) ?? 'not an address') : 'unicast'
      if (options.allowPrivate || range === 'unicast') return connect(target, callback)
      callback(new AddressNotAllowedError(`${target.hostname} is ${range}`, false), null)
    },
  })
}

/** fetch through a guarded agent. A 3xx is returned as it is: a redirect could lead anywhere, so none is followed. */
export function createGuardedFetch(options: GuardOptions) {
  const dispatcher = createGuardedAgent(options)
  return (
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
  ) => fetch(url, { ...init, redirect: 'manual', dispatcher })
}

/** OpenSSL's and Node's codes for a handshake or certificate that failed. */
const tlsCodes =
  /^(ERR_SSL_|ERR_TLS_|ERR_OSSL_|EPROTO$|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/
const timeoutCodes = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
])

/**
 * What a guarded fetch that got no HTTP answer may tell the caller (one of `outboundFailures`), and the detail for
 * the server log. fetch itself says only "fetch failed"; the reason is in its cause.
 */
export function describeOutboundFailure(error: unknown): { failure: OutboundFailure; detail: string } {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return { failure: 'timed out', detail: error.message }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  const detail = cause instanceof Error ? cause.message : String(cause)
  if (cause instanceof AddressNotAllowedError)
    return { failure: cause.resolved ? 'connection failed' : 'address not allowed', detail }
  const code = String((cause as { code?: unknown } | undefined)?.code ?? '')
  const withCode = code && !detail.includes(code) ? `${detail} (${code})` : detail
  if (timeoutCodes.has(code)) return { failure: 'timed out', detail: withCode }
  if (tlsCodes.test(code)) return { failure: 'TLS handshake failed', detail: withCode }
  return { failure: 'connection failed', detail: withCode }
}
