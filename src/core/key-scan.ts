import type { KeyFormat } from './key-format.ts'

/** A key found in a text: 1-based line and column, and the key itself (never printed; hashed to report it). */
export interface FoundKey {
  line: number
  column: number
  key: string
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The regular expression secret scanners use for this installation's keys: `\b<prefix>[0-9a-f]{64}\b`. The checksum
 * is checked after a match (CRC32 of the 56 random hex digits, in the last 8), which no regex can express.
 */
export const keyPatternSource = (format: KeyFormat) => `\\b${escapeRegExp(format.prefix)}[0-9a-f]{64}\\b`

/** Every string of the key format in `text` whose checksum holds; look-alikes with a bad checksum are skipped. */
export function findKeys(text: string, format: KeyFormat): FoundKey[] {
  const found: FoundKey[] = []
  const pattern = new RegExp(keyPatternSource(format), 'g')
  let line = 1
  let lineStart = 0
  let scanned = 0
  for (const match of text.matchAll(pattern)) {
    if (!format.parse(match[0]).ok) continue
    for (let i = text.indexOf('\n', scanned); i !== -1 && i < match.index; i = text.indexOf('\n', i + 1)) {
      line++
      lineStart = i + 1
    }
    scanned = match.index
    found.push({ line, column: match.index - lineStart + 1, key: match[0] })
  }
  return found
}
