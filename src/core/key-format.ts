import { hash, randomBytes } from 'node:crypto'
import { crc32 } from 'node:zlib'

export const defaultKeyPrefix = 'dtk_live_'
const randomHexLength = 56 // 28 random bytes = 224 bits
const displayHexLength = 4

export type ParsedKey = { ok: true; key: string } | { ok: false; reason: 'malformed' | 'bad_checksum' }

export interface KeyFormat {
  readonly prefix: string
  generate(): string
  /** Shape and checksum only: no I/O, so typos and random strings never reach the database. */
  parse(candidate: string): ParsedKey
  displayPrefix(key: string): string
}

/** CRC32 of the random part as 8 lowercase hex digits; zlib's implementation is native. */
function checksumOf(randomHex: string): string {
  return crc32(randomHex).toString(16).padStart(8, '0')
}

export function createKeyFormat(prefix: string = defaultKeyPrefix): KeyFormat {
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(prefix)) throw new Error(`Invalid key prefix: ${prefix}`)
  const shape = new RegExp(`^${prefix}[0-9a-f]{${randomHexLength + 8}}$`)
  const checksumStart = prefix.length + randomHexLength

  return {
    prefix,
    generate() {
      const randomHex = randomBytes(randomHexLength / 2).toString('hex')
      return prefix + randomHex + checksumOf(randomHex)
    },
    parse(candidate) {
      if (!shape.test(candidate)) return { ok: false, reason: 'malformed' }
      const randomHex = candidate.slice(prefix.length, checksumStart)
      if (checksumOf(randomHex) !== candidate.slice(checksumStart))
        return { ok: false, reason: 'bad_checksum' }
      return { ok: true, key: candidate }
    },
    displayPrefix(key) {
      return key.slice(0, prefix.length + displayHexLength)
    },
  }
}

/** Keys carry 224 random bits, so a fast unsalted hash is enough (ASVS 6.5.2); it is also the lookup index. */
export function hashKey(key: string): string {
  return hash('sha256', key, 'hex')
}
