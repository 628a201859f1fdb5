import ipaddr from 'ipaddr.js'

/**
 * Which addresses Keyward may connect to when a user supplies the URL (webhooks, and later OAuth client metadata
 * documents): globally routable unicast only. ipaddr.js names the special-purpose ranges of the IANA registries
 * (loopback, private, linkLocal, carrierGradeNat, multicast, broadcast, reserved, benchmarking, unspecified,
 * uniqueLocal, deprecatedSiteLocal, teredo, …); anything it does not call `unicast` is refused.
 *
 * An IPv6 address that carries an IPv4 one is judged by that IPv4 address: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated), NAT64 (64:ff9b::a.b.c.d) and 6to4
 * (2002:aabb:ccdd::). Each of them reaches the IPv4 host, by the kernel or by a translator on the way.
 *
 * Teredo (2001::/32) is refused, not judged: its client address is obfuscated and sits behind a NAT that a relay
 * near the sender may decapsulate into, and no receiver has a reason to be reachable only through it.
 */

/** IANA's global unicast allocation: IPv6 space outside it that ipaddr.js calls `unicast` is unassigned. */
const globalUnicast = ipaddr.IPv6.parseCIDR('2000::/3')
/** The well-known NAT64 prefix; the local-use one (64:ff9b:1::/48) stays refused, as its `rfc6052` name says. */
const nat64 = ipaddr.IPv6.parseCIDR('64:ff9b::/96')
const ipv4Compatible = ipaddr.IPv6.parseCIDR('::/96')

/**
 * The range an address belongs to, `unicast` when it is globally routable; undefined when the text is not an
 * address in canonical form (dotted-quad IPv4 or IPv6 without a zone), which is what URLs and resolvers give.
 */
export function addressRange(text: string): string | undefined {
  const address = text.replace(/^\[(.*)\]$/, '$1')
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address).range()
  if (!ipaddr.IPv6.isValid(address) || address.includes('%')) return undefined
  return ipv6Range(ipaddr.IPv6.parse(address))
}

export function isPublicAddress(text: string): boolean {
  return addressRange(text) === 'unicast'
}

function ipv6Range(address: ipaddr.IPv6): string {
  const range: string = address.range()
  const [, high = 0, low = 0] = address.parts // 6to4 embeds the IPv4 address right after 2002:
  const [last1 = 0, last2 = 0] = address.parts.slice(6) // the others in the last 32 bits
  if (range === 'ipv4Mapped' || range === 'rfc6145' || address.match(nat64)) return embedded(last1, last2)
  if (range === '6to4') return embedded(high, low)
  if (range !== 'unicast') return range
  if (address.match(ipv4Compatible)) return embedded(last1, last2)
  return address.match(globalUnicast) ? 'unicast' : 'reserved'
}

const embedded = (high: number, low: number) =>
  new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]).range()

/** `localhost` and its subdomains are answered by the resolver itself (RFC 6761), never by public DNS. */
const isLocalhostName = (name: string) => /(^|\.)localhost$/.test(name.toLowerCase().replace(/\.$/, ''))

/**
 * Judges the host of a URL as the WHATWG parser left it (dotted-quad IPv4 whatever the spelling in the input,
 * bracketed IPv6). A literal address is judged now; a name is allowed unless it is `localhost`, and every address
 * it resolves to is judged when a connection is made.
 */
export function judgeHost(hostname: string): { allowed: boolean; literal: boolean; range?: string } {
  const range = addressRange(hostname)
  if (range !== undefined) return { allowed: range === 'unicast', literal: true, range }
  if (/^\[|^[\d.]+$/.test(hostname)) return { allowed: false, literal: true } // an address in no canonical form
  return { allowed: !isLocalhostName(hostname), literal: false }
}

/**
 * All a caller is told when an outbound request got no HTTP answer. Refused, reset, unreachable and "resolves to an
 * address not allowed" are one `connection failed`, so that the answers cannot map a network (a port scan, or the
 * names an internal resolver knows); the detail goes to the server log. `address not allowed` is only for a URL
 * whose own text is refused (its scheme, or a literal address), which says nothing the caller did not write.
 */
export const outboundFailures = [
  'address not allowed',
  'connection failed',
  'TLS handshake failed',
  'timed out',
] as const
export type OutboundFailure = (typeof outboundFailures)[number]
