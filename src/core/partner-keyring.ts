import { createPublicKey, type KeyObject, verify } from 'node:crypto'
import type { Clock } from './clock.ts'

/** One entry of GitHub's key list (`{public_keys: [{key_identifier, key, is_current}]}`). */
export interface PartnerPublicKey {
  keyIdentifier: string
  /** PEM, an ECDSA P-256 public key. */
  key: string
  isCurrent: boolean
}

export interface PartnerKeyringOptions {
  /** A list older than this is fetched again before use: 5 minutes, as the issue asks. */
  maxAgeMs?: number
  /**
   * An unknown identifier (GitHub rotated its key) fetches the list again, but not sooner than this after the last
   * fetch: forged identifiers cannot make us hammer GitHub.
   */
  minRefetchMs?: number
}

/**
 * The public keys GitHub signs secret-scanning reports with, fetched from KEYWARD_SECRET_SCANNING_KEYS_URL and
 * cached. A failed fetch keeps the previous list (GitHub's keys change rarely); with no list at all it throws.
 */
export class PartnerKeyring {
  private keys = new Map<string, KeyObject>()
  private fetchedAt = Number.NEGATIVE_INFINITY
  private attemptedAt = Number.NEGATIVE_INFINITY
  private inFlight: Promise<void> | undefined
  private readonly maxAgeMs: number
  private readonly minRefetchMs: number

  constructor(
    private readonly fetchKeys: () => Promise<PartnerPublicKey[]>,
    private readonly clock: Clock,
    options: PartnerKeyringOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000
    this.minRefetchMs = options.minRefetchMs ?? 10_000
  }

  /** The key with this identifier, or undefined when GitHub does not list it (even after a fresh fetch). */
  async keyFor(identifier: string): Promise<KeyObject | undefined> {
    if (this.clock() - this.fetchedAt >= this.maxAgeMs) await this.refresh(this.keys.size === 0)
    const known = this.keys.get(identifier)
    if (known || this.clock() - this.attemptedAt < this.minRefetchMs) return known
    await this.refresh(false)
    return this.keys.get(identifier)
  }

  /** How many times the list was fetched (for tests and the log). */
  fetches = 0

  private refresh(mustSucceed: boolean): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined
    })
    return this.inFlight.catch((error) => {
      if (mustSucceed || this.keys.size === 0) throw error
    })
  }

  private async load(): Promise<void> {
    this.attemptedAt = this.clock()
    this.fetches++
    const list = await this.fetchKeys()
    const keys = new Map<string, KeyObject>()
    for (const entry of list) {
      try {
        keys.set(entry.keyIdentifier, createPublicKey(entry.key))
      } catch {
        // A key we cannot read verifies nothing; the others still do.
      }
    }
    this.keys = keys
    this.fetchedAt = this.clock()
  }
}

/** GitHub's signature: base64 of a DER-encoded ECDSA P-256 signature of the raw body's SHA-256. */
export function verifyPartnerSignature(key: KeyObject, body: Buffer, signatureBase64: string): boolean {
  const signature = Buffer.from(signatureBase64, 'base64')
  if (signature.length === 0) return false
  try {
    return verify('sha256', body, key, signature)
  } catch {
    return false
  }
}
