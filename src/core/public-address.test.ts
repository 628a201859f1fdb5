import { describe, expect, it } from 'vitest'
import { addressRange, isPublicAddress, judgeHost } from './public-address.ts'

describe('public addresses', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['198.18.0.1', 'reserved'], // benchmarking, filed under reserved by ipaddr.js
    ['192.0.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:2::1', 'benchmarking'],
    ['2001::1', 'teredo'],
    ['100::1', 'discard'],
    ['64:ff9b:1::a00:1', 'rfc6052'], // local-use NAT64
    ['4000::1', 'reserved'], // outside 2000::/3
    ['1::1', 'reserved'],
  ])('%s is %s', (address, range) => {
    expect(addressRange(address)).toBe(range)
    expect(isPublicAddress(address)).toBe(false)
  })

  it.each([
    ['::ffff:7f00:1', 'loopback'], // IPv4-mapped
    ['::ffff:0:7f00:1', 'loopback'], // IPv4-translated
    ['::7f00:1', 'loopback'], // IPv4-compatible
    ['::2', 'unspecified'], // IPv4-compatible 0.0.0.2
    ['64:ff9b::a9fe:a9fe', 'linkLocal'], // NAT64
    ['2002:a00:1::', 'private'], // 6to4
    ['2002:c0a8:101:1::1', 'private'],
  ])('%s is judged by its IPv4 address: %s', (address, range) => {
    expect(addressRange(address)).toBe(range)
  })

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '2606:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:808:808',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('%s is public', (address) => {
    expect(addressRange(address)).toBe('unicast')
    expect(isPublicAddress(address)).toBe(true)
  })

  it.each(['2130706433', '0x7f.1', '127.1', '127.000.0.1', 'fe80::1%eth0', 'example.com', ''])(
    '%j is no address in canonical form',
    (text) => {
      expect(addressRange(text)).toBeUndefined()
      expect(isPublicAddress(text)).toBe(false)
    },
  )

  it('judges URL hosts: literals now, names at connect time, localhost never', () => {
    expect(judgeHost('[::ffff:7f00:1]')).toEqual({ allowed: false, literal: true, range: 'loopback' })
    expect(judgeHost('[2606:4700::1111]')).toEqual({ allowed: true, literal: true, range: 'unicast' })
    expect(judgeHost('8.8.8.8')).toEqual({ allowed: true, literal: true, range: 'unicast' })
    expect(judgeHost('1.2.3')).toEqual({ allowed: false, literal: true })
    expect(judgeHost('hooks.example.com')).toEqual({ allowed: true, literal: false })
    for (const name of ['localhost', 'LOCALHOST.', 'a.b.localhost', 'x.localhost.'])
      expect(judgeHost(name)).toEqual({ allowed: false, literal: false })
    expect(judgeHost('localhost.example.com')).toEqual({ allowed: true, literal: false })
  })
})
