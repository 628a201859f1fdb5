import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createKeyFormat, hashKey } from './key-format.ts'

const format = createKeyFormat()
const keyArbitrary = fc.constant(null).map(() => format.generate())
const hexDigit = fc.constantFrom(...'0123456789abcdef')

describe('key format', () => {
  it('generates dtk_live_ + 64 lowercase hex that secret scanners match', () => {
    const key = format.generate()
    expect(key).toMatch(/^dtk_live_[0-9a-f]{64}$/)
    expect(format.displayPrefix(key)).toBe(key.slice(0, 13))
  })

  it('parses every generated key', () => {
    fc.assert(
      fc.property(keyArbitrary, (key) => {
        expect(format.parse(key)).toEqual({ ok: true, key })
      }),
      { numRuns: 2000 },
    )
  })

  it('rejects a key with any single hex character changed, by checksum', () => {
    fc.assert(
      fc.property(keyArbitrary, fc.nat(63), hexDigit, (key, offset, digit) => {
        const at = 'dtk_live_'.length + offset
        fc.pre(key[at] !== digit)
        const typo = key.slice(0, at) + digit + key.slice(at + 1)
        expect(format.parse(typo)).toEqual({ ok: false, reason: 'bad_checksum' })
      }),
      { numRuns: 5000 },
    )
  })

  it('rejects a key with any single character changed to a non-hex one as malformed', () => {
    fc.assert(
      fc.property(keyArbitrary, fc.nat(72), fc.string({ minLength: 1, maxLength: 1 }), (key, at, ch) => {
        fc.pre(key[at] !== ch && !(at >= 9 && /[0-9a-f]/.test(ch)))
        const changed = key.slice(0, at) + ch + key.slice(at + 1)
        expect(format.parse(changed).ok).toBe(false)
      }),
      { numRuns: 5000 },
    )
  })

  it('rejects random strings as malformed', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        expect(format.parse(s)).toEqual({ ok: false, reason: 'malformed' })
      }),
      { numRuns: 5000 },
    )
  })

  it('rejects wrong lengths, upper case, and another prefix as malformed', () => {
    const key = format.generate()
    for (const bad of [
      key.slice(0, -1),
      `${key}0`,
      key.toUpperCase(),
      key.replace('dtk_live_', 'dtk_test_'),
      ` ${key}`,
    ]) {
      expect(format.parse(bad)).toEqual({ ok: false, reason: 'malformed' })
    }
  })

  it('honours a configured prefix and refuses an unsafe one', () => {
    const custom = createKeyFormat('acme_')
    const key = custom.generate()
    expect(key).toMatch(/^acme_[0-9a-f]{64}$/)
    expect(custom.parse(key).ok).toBe(true)
    expect(format.parse(key)).toEqual({ ok: false, reason: 'malformed' })
    expect(() => createKeyFormat('a.*')).toThrow(/Invalid key prefix/)
  })

  it('hashes with SHA-256 hex', () => {
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})
