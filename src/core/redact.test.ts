import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createKeyFormat } from './key-format.ts'
import { redactKeys } from './redact.ts'

const hex64 = /[0-9a-f]{64}/i
const percentEncode = (text: string) =>
  [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')

describe('redactKeys', () => {
  it('keeps the prefix and 4 hex of a key, whatever the prefix', () => {
    for (const prefix of ['dtk_live_', 'acme_', 'k']) {
      const key = createKeyFormat(prefix).generate()
      const redacted = redactKeys(`/api/v2/projects/p/webhooks/${key}`)
      expect(redacted).toBe(`/api/v2/projects/p/webhooks/${key.slice(0, prefix.length + 4)}…`)
    }
  })

  it('redacts a bare run, an upper-case run and a run longer than a key', () => {
    const key = createKeyFormat().generate().slice('dtk_live_'.length)
    expect(redactKeys(`/x/${key}/y`)).toBe(`/x/${key.slice(0, 4)}…/y`)
    expect(redactKeys(`/x/${key.toUpperCase()}`)).toBe(`/x/${key.slice(0, 4).toUpperCase()}…`)
    expect(redactKeys(`/x/abc${key}def`)).toBe(`/x/abc${key.slice(0, 1)}…`)
  })

  it('redacts a key whose characters are percent-encoded, all or some of them', () => {
    const key = createKeyFormat().generate()
    const all = `/webhooks/${percentEncode(key)}`
    const some = `/webhooks/dtk%5Flive%5F${key.slice(9, 20)}${percentEncode(key.slice(20))}`
    expect(redactKeys(all)).toBe(`/webhooks/${percentEncode('dtk_live_')}${key.slice(9, 13)}…`)
    expect(redactKeys(some)).toBe(`/webhooks/dtk%5Flive%5F${key.slice(9, 13)}…`)
  })

  it('leaves text without a 64-hex run as it is (UUIDs, 63 hex, numbers)', () => {
    const text = `/api/v2/projects/3f1d2c4b-5a69-4788-9abc-def012345678/x/${'a'.repeat(63)}/${'1'.repeat(20)}`
    expect(redactKeys(text)).toBe(text)
  })

  it('never leaves 64 hex in any text holding a key', () => {
    const format = createKeyFormat()
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.array(fc.boolean(), { minLength: 73 }),
        (before, after, mask) => {
          // Each character of the key written as itself or percent-encoded, as the mask says.
          const key = [...format.generate()].map((c, i) => (mask[i] ? percentEncode(c) : c)).join('')
          const redacted = redactKeys(before + key + after)
          expect(redacted).not.toMatch(hex64)
          expect(decodeURIComponentSafe(redacted)).not.toMatch(hex64)
        },
      ),
      { numRuns: 500 },
    )
  })
})

function decodeURIComponentSafe(text: string): string {
  return text.replace(/%([0-9a-f]{2})/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)))
}
