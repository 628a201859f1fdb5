import { LRUCache } from 'lru-cache'
import type { Clock } from './clock.ts'
import { hashKey, type KeyFormat } from './key-format.ts'
import { outlivesPolicy } from './key-policy.ts'
import { keyStatus } from './key-status.ts'
import type { KeyAuthRecord } from './model.ts'
import type { ExternalChangeSignal, KeyStore } from './ports.ts'

export type VerifyFailure =
  | 'malformed'
  | 'bad_checksum'
  | 'unknown'
  | 'expired'
  | 'revoked'
  | 'exposed'
  | 'disabled'

export type VerifyResult =
  | { ok: true; key: KeyAuthRecord }
  /** `key` is present when the key was identified (expired or revoked), for the audit log only. */
  | { ok: false; reason: VerifyFailure; key?: KeyAuthRecord }

export interface VerifierOptions {
  /** Upper bound on how long a cached record may be trusted without a refresh; capped at 10 s. */
  ttlMs?: number
  maxEntries?: number
  maxNegativeEntries?: number
}

const maxTtlMs = 10_000

/**
 * The hot path: shape and checksum (no I/O), SHA-256, then an in-process cache of key records by hash.
 * A miss costs one indexed query. Unknown hashes go to a separate, smaller cache so that a flood of
 * well-formed garbage cannot push real keys out.
 */
export class KeyVerifier {
  private readonly known: LRUCache<string, KeyAuthRecord>
  private readonly unknown: LRUCache<string, true>
  /** A key's cached hashes: its current secret's and, during a grace period, its previous one's. */
  private readonly hashesById = new Map<string, Set<string>>()
  /** Bumped by every eviction, so that a lookup that raced with a change does not cache what it read. */
  private generation = 0
  /** The hash of the key `verifyKnown` last missed, for `verify` to read without hashing it twice. */
  private lastMissHash = ''

  constructor(
    private readonly keys: Pick<KeyStore, 'findAuthRecord'>,
    private readonly format: KeyFormat,
    private readonly clock: Clock,
    private readonly externalChanges?: ExternalChangeSignal,
    options: VerifierOptions = {},
  ) {
    const ttl = Math.min(options.ttlMs ?? maxTtlMs, maxTtlMs)
    this.known = new LRUCache({
      max: options.maxEntries ?? 100_000,
      ttl,
      dispose: (record, hash) => this.forgetHash(record.id, hash),
    })
    this.unknown = new LRUCache({ max: options.maxNegativeEntries ?? 10_000, ttl })
  }

  async verify(rawKey: string): Promise<VerifyResult> {
    const known = this.verifyKnown(rawKey)
    if (known !== undefined) return known
    // A cache miss: verifyKnown has checked the shape and asked for external changes already.
    const hash = this.lastMissHash
    const generation = this.generation
    const record = await this.keys.findAuthRecord(hash)
    if (generation === this.generation) this.remember(hash, record)
    return record ? this.judge(record) : { ok: false, reason: 'unknown' }
  }

  /**
   * The same answer as `verify` without a promise whenever no database read is needed (a malformed key, a cached
   * record, a cached unknown hash); undefined on a cache miss, when the caller must `verify`. The keyed pipeline
   * answers the usual request (a known key) synchronously this way.
   */
  verifyKnown(rawKey: string): VerifyResult | undefined {
    const parsed = this.format.parse(rawKey)
    if (!parsed.ok) return parsed
    if (this.externalChanges?.changedSinceLastCheck()) this.evictAll()

    const hash = hashKey(parsed.key)
    const record = this.known.get(hash)
    if (record) return this.judge(record)
    if (this.unknown.has(hash)) return { ok: false, reason: 'unknown' }
    this.lastMissHash = hash
    return undefined
  }

  /**
   * A previous secret past its grace is refused as a revoked key is. Its deadline travels in the cached record, so the
   * grace ends at the same instant on every node, with no notification and no cache window.
   */
  private judge(record: KeyAuthRecord): VerifyResult {
    const now = this.clock()
    // Without exposedAt: a key flagged as leaked but not revoked (leak response `notify`) keeps working.
    const { revokedAt, expiresAt, disabledAt } = record
    const status = keyStatus({ revokedAt, expiresAt, disabledAt }, now)
    if (status !== 'active') {
      const reason = status === 'revoked' && record.exposedAt != null ? 'exposed' : status
      return { ok: false, reason, key: record }
    }
    // The account's policy caps every key's age, whatever its own expiry (the record carries the policy's maximum).
    if (outlivesPolicy(record, now)) return { ok: false, reason: 'expired', key: record }
    // The previous secret of a rolled key: refused as a revoked key is once its grace ends, on every node at once.
    const graceEnd = record.previousSecretValidUntil
    if (graceEnd !== undefined && now >= graceEnd) return { ok: false, reason: 'revoked', key: record }
    return { ok: true, key: record }
  }

  /** Drops one key's records (both secrets'); called after its revocation, rotation or other change commits. */
  evictKey(keyId: string): void {
    this.generation++
    const hashes = this.hashesById.get(keyId)
    if (hashes !== undefined) for (const hash of [...hashes]) this.known.delete(hash)
  }

  private forgetHash(keyId: string, hash: string): void {
    const hashes = this.hashesById.get(keyId)
    hashes?.delete(hash)
    if (hashes?.size === 0) this.hashesById.delete(keyId)
  }

  evictAll(): void {
    this.generation++
    this.known.clear()
    this.unknown.clear()
  }

  private remember(hash: string, record: KeyAuthRecord | undefined): void {
    if (!record) {
      this.unknown.set(hash, true)
      return
    }
    this.known.set(hash, record)
    const hashes = this.hashesById.get(record.id)
    if (hashes) hashes.add(hash)
    else this.hashesById.set(record.id, new Set([hash]))
  }
}
