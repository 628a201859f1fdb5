import { describe, expect, it } from 'vitest'
import { createKeyFormat } from './key-format.ts'
import { findKeys, keyPatternSource } from './key-scan.ts'

const format = createKeyFormat()

describe('findKeys', () => {
  it('finds keys whose checksum holds, with line and column, and skips look-alikes', () => {
    const a = format.generate()
    const b = format.generate()
    const broken = `${a.slice(0, -1)}${a.endsWith('0') ? '1' : '0'}`
    const text = `first line\nKEY=${a}\n${broken}\n\n  "k": "${b}", other: ${b}x\nx${a}`
    expect(findKeys(text, format)).toEqual([
      { line: 2, column: 5, key: a },
      { line: 5, column: 9, key: b },
    ])
  })

  it('gives scanners the regex of the configured prefix', () => {
    expect(keyPatternSource(format)).toBe('\\bdtk_live_[0-9a-f]{64}\\b')
    const other = createKeyFormat('acme_')
    expect(findKeys(`${format.generate()} ${other.generate()}`, other)).toHaveLength(1)
  })
})
