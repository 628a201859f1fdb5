import ipaddr from 'ipaddr.js'
import { badRequest } from './errors.ts'

export const maxAllowedIps = 20

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number]

/**
 * One CIDR (or a bare address, taken as /32 or /128) in canonical form: the network address and its prefix, IPv6 in
 * RFC 5952 text. An IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) becomes the IPv4 range it maps, so that it
 * matches the same clients. IPv4 must be four decimal parts: `10.1` or `0x0a.0.0.1` are refused, not guessed.
 */
function canonicalCidr(text: string): string | undefined {
  const trimmed = text.trim()
  const [address = '', prefixText, extra] = trimmed.split('/')
  if (extra !== undefined || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) return undefined
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText)
    if (prefix > 32) return undefined
    return `${ipaddr.IPv4.networkAddressFromCIDR(`${address}/${prefix}`).toString()}/${prefix}`
  }
  if (!ipaddr.IPv6.isValid(address) || address.includes('%')) return undefined
  const prefix = prefixText === undefined ? 128 : Number(prefixText)
  if (prefix > 128) return undefined
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${address}/${prefix}`)
  if (network.isIPv4MappedAddress() && prefix >= 96)
    return `${network.toIPv4Address().toString()}/${prefix - 96}`
  return `${network.toRFC5952String()}/${prefix}`
}

/** Validates an allowlist for storage: at most 20 distinct CIDRs, canonical, in the order given. Empty: any address. */
export function normalizeAllowlist(input: readonly string[] | null | undefined): string[] {
  const out: string[] = []
  for (const entry of input ?? []) {
    if (typeof entry !== 'string' || entry.trim() === '') continue
    const cidr = canonicalCidr(entry)
    if (cidr === undefined) throw badRequest(`Not an IP address or CIDR range: ${entry.trim().slice(0, 64)}`)
    if (!out.includes(cidr)) out.push(cidr)
  }
  if (out.length > maxAllowedIps) throw badRequest(`An IP allowlist holds at most ${maxAllowedIps} ranges`)
  return out
}

/** Tells whether a client address is inside one of the ranges; an unparseable address is outside all of them. */
export type IpMatcher = (clientIp: string | undefined) => boolean

export function compileAllowlist(cidrs: readonly string[]): IpMatcher {
  const v4: Range[] = []
  const v6: Range[] = []
  for (const cidr of cidrs) {
    const range = ipaddr.parseCIDR(cidr)
    ;(range[0].kind() === 'ipv4' ? v4 : v6).push(range)
  }
  return (clientIp) => {
    if (clientIp === undefined || !ipaddr.isValid(clientIp)) return false
    // process(): an IPv4-mapped IPv6 client (`::ffff:10.1.2.3`, how a dual-stack socket reports IPv4) is IPv4.
    const address = ipaddr.process(clientIp)
    const ranges = address.kind() === 'ipv4' ? v4 : v6
    for (const range of ranges) if (address.match(range)) return true
    return false
  }
}

/**
 * Compiled once per record object: the verifier caches records, so a cached key's CIDRs are parsed on its first
 * request and never again, and a changed key (a new record) gets a new matcher.
 */
const matchers = new WeakMap<object, IpMatcher>()

export function ipAllowed(record: { allowedIps: readonly string[] }, clientIp: string | undefined): boolean {
  if (record.allowedIps.length === 0) return true
  let matcher = matchers.get(record)
  if (!matcher) {
    matcher = compileAllowlist(record.allowedIps)
    matchers.set(record, matcher)
  }
  return matcher(clientIp)
}
