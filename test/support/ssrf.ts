import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Resolver } from '../../src/transport/guarded-agent.ts'

/**
 * Hosts that must never be called, as a user might type them in a webhook URL: every IPv4 spelling the WHATWG
 * parser folds into dotted form, and every IPv6 form that carries or is a non-public address.
 */
export const refusedHosts: ReadonlyArray<[host: string, what: string]> = [
  ['127.0.0.1', 'loopback'],
  ['127.1', 'loopback, short form'],
  ['127.0.1', 'loopback, three parts'],
  ['2130706433', 'loopback, decimal'],
  ['017700000001', 'loopback, octal'],
  ['0x7f000001', 'loopback, hex'],
  ['0x7f.0.0.1', 'loopback, hex first part'],
  ['0177.0.0.1', 'loopback, octal first part'],
  ['0x7F.1', 'loopback, hex short form'],
  ['127.255.255.254', 'loopback, end of 127/8'],
  ['127.0.0.1.', 'loopback, trailing dot'],
  ['%31%32%37.0.0.1', 'loopback, percent-encoded'],
  ['１２７.０.０.１', 'loopback, full-width digits'],
  ['0.0.0.0', 'unspecified'],
  ['0', 'unspecified, one number'],
  ['0x0', 'unspecified, hex'],
  ['10.0.0.1', 'private'],
  ['012.0.0.1', 'private, octal 10'],
  ['167772161', 'private, decimal'],
  ['172.16.0.1', 'private'],
  ['0xac100001', 'private, hex'],
  ['192.168.1.1', 'private'],
  ['3232235777', 'private, decimal'],
  ['169.254.169.254', 'link-local (cloud metadata)'],
  ['2852039166', 'link-local, decimal'],
  ['0xa9fea9fe', 'link-local, hex'],
  ['0251.0376.0251.0376', 'link-local, octal'],
  ['100.64.0.1', 'CGNAT'],
  ['100.127.255.254', 'CGNAT, end'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['4294967295', 'broadcast, decimal'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking, end'],
  ['192.0.0.1', 'IETF protocol assignments'],
  ['240.0.0.1', 'reserved (class E)'],
  ['192.0.2.1', 'documentation'],
  ['203.0.113.5', 'documentation'],
  ['192.88.99.1', '6to4 relay anycast'],
  ['[::1]', 'IPv6 loopback'],
  ['[0:0:0:0:0:0:0:1]', 'IPv6 loopback, long form'],
  ['[::]', 'IPv6 unspecified'],
  ['[::ffff:127.0.0.1]', 'IPv4-mapped loopback'],
  ['[0:0:0:0:0:ffff:7f00:1]', 'IPv4-mapped loopback, long form'],
  ['[::ffff:7f00:1]', 'IPv4-mapped loopback, hex'],
  ['[::ffff:a9fe:a9fe]', 'IPv4-mapped link-local'],
  ['[::ffff:169.254.169.254]', 'IPv4-mapped link-local'],
  ['[::ffff:10.0.0.1]', 'IPv4-mapped private'],
  ['[::ffff:192.168.0.1]', 'IPv4-mapped private'],
  ['[::ffff:100.64.0.1]', 'IPv4-mapped CGNAT'],
  ['[::ffff:0.0.0.0]', 'IPv4-mapped unspecified'],
  ['[::ffff:224.0.0.1]', 'IPv4-mapped multicast'],
  ['[::ffff:255.255.255.255]', 'IPv4-mapped broadcast'],
  ['[::ffff:198.18.0.1]', 'IPv4-mapped benchmarking'],
  ['[::ffff:240.0.0.1]', 'IPv4-mapped reserved'],
  ['[::7f00:1]', 'IPv4-compatible loopback'],
  ['[::127.0.0.1]', 'IPv4-compatible loopback, dotted'],
  ['[::10.0.0.1]', 'IPv4-compatible private'],
  ['[::169.254.169.254]', 'IPv4-compatible link-local'],
  ['[::ffff:0:7f00:1]', 'IPv4-translated loopback'],
  ['[::ffff:0:10.0.0.1]', 'IPv4-translated private'],
  ['[64:ff9b::7f00:1]', 'NAT64 loopback'],
  ['[64:ff9b::127.0.0.1]', 'NAT64 loopback, dotted'],
  ['[64:ff9b::10.0.0.1]', 'NAT64 private'],
  ['[64:ff9b::169.254.169.254]', 'NAT64 link-local'],
  ['[64:ff9b::198.18.0.1]', 'NAT64 benchmarking'],
  ['[64:ff9b:1::a00:1]', 'local-use NAT64'],
  ['[2002:7f00:1::]', '6to4 loopback'],
  ['[2002:a00:1::1]', '6to4 private'],
  ['[2002:a9fe:a9fe::]', '6to4 link-local'],
  ['[fec0::1]', 'site-local'],
  ['[feff::1]', 'site-local, end'],
  ['[fe80::1]', 'link-local'],
  ['[febf::1]', 'link-local, end'],
  ['[fc00::1]', 'unique local'],
  ['[fd12:3456::1]', 'unique local'],
  ['[ff02::1]', 'multicast'],
  ['[ff05::1:3]', 'multicast'],
  ['[2001:db8::1]', 'documentation'],
  ['[2001:2::1]', 'benchmarking'],
  ['[2001::1]', 'Teredo'],
  ['[2001:0:4136:e378:8000:63bf:3fff:fdd2]', 'Teredo'],
  ['[100::1]', 'discard'],
  ['[4000::1]', 'outside global unicast'],
]

export const localhostNames = ['localhost', 'LOCALHOST', 'localhost.', 'api.localhost', 'a.b.localhost.']

/** Names and what they resolve to: each has at least one address that is not globally routable unicast. */
export const refusedNames: Record<string, string[]> = {
  'loopback.test': ['127.0.0.1'],
  'loopback6.test': ['::1'],
  'mapped-loopback.test': ['::ffff:7f00:1'],
  'unspecified.test': ['0.0.0.0'],
  'unspecified6.test': ['::'],
  'private10.test': ['10.0.0.1'],
  'private172.test': ['172.16.5.4'],
  'private192.test': ['192.168.0.10'],
  'metadata.test': ['169.254.169.254'],
  'link-local6.test': ['fe80::1'],
  'cgnat.test': ['100.64.0.1'],
  'multicast.test': ['224.0.0.251'],
  'multicast6.test': ['ff02::fb'],
  'broadcast.test': ['255.255.255.255'],
  'benchmarking.test': ['198.18.0.1'],
  'benchmarking6.test': ['2001:2::1'],
  'reserved.test': ['240.0.0.1'],
  'ietf.test': ['192.0.0.8'],
  'documentation.test': ['192.0.2.1'],
  'documentation6.test': ['2001:db8::1'],
  'site-local.test': ['fec0::1'],
  'unique-local.test': ['fd00::1'],
  'nat64.test': ['64:ff9b::a00:1'],
  '6to4.test': ['2002:a9fe:a9fe::'],
  'compatible.test': ['::7f00:1'],
  'translated.test': ['::ffff:0:a00:1'],
  'teredo.test': ['2001::1'],
  'not-canonical.test': ['127.1'],
  'mixed.test': ['8.8.8.8', '10.0.0.1'],
  'mixed6.test': ['2606:4700::1111', '::1'],
}

export const publicNames: Record<string, string[]> = {
  'public.test': ['8.8.8.8'],
  'public6.test': ['2606:4700::1111', '1.1.1.1'],
  'mapped-public.test': ['::ffff:808:808'],
}

/** A resolver that knows the names above, plus any given; other names do not exist. */
export function tableResolver(extra: Record<string, string[]> = {}): Resolver {
  const names: Record<string, string[]> = { ...refusedNames, ...publicNames, ...extra }
  return (hostname, _options, callback) => {
    const addresses = names[hostname.toLowerCase()]
    if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`)), [])
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    )
  }
}

/** An HTTP server on 127.0.0.1 that counts the TCP connections made to it, and closes each after one answer. */
export async function countingServer() {
  const server = createServer((_request, response) => response.writeHead(204, { connection: 'close' }).end())
  let connections = 0
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
