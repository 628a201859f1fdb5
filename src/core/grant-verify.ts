import { LRUCache } from 'lru-cache'
import type { Clock } from './clock.ts'
import type { Instant, KeyAuthRecord } from './model.ts'
import { narrowToRole } from './oauth-grant-scopes.ts'
import type { ExternalChangeSignal, GrantAuthRow, OAuthGrantStore } from './ports.ts'
import type { Scope } from './scopes.ts'
import type { VerifyFailure, VerifyResult } from './verify.ts'

/** What the signature and claims of an access token say (identity/access-tokens.ts checks them with jose). */
export type AccessTokenCheck =
  | {
      ok: true
      grantId: string
      scopes: readonly Scope[]
      expiresAt: Instant
      /** `sub` and `client_id`: they must be the grant's (a token never moves to another user or client). */
      userId: string
      clientId: string
    }
  /** `grantId` only for a token we signed that has expired: its row then names the grant. */
  | { ok: false; reason: TokenFailure; grantId?: string }

export type TokenFailure = 'malformed' | 'bad_signature' | 'expired' | 'wrong_audience'
export type AccessTokenDecoder = (token: string, now: Instant) => Promise<AccessTokenCheck>

/**
 * A token's refusal in the keys' vocabulary, so that one table maps both to activity reasons: a bad signature is a
 * bad checksum (the credential was altered), a token for another issuer or resource is not one of ours.
 */
const tokenReasons: Record<TokenFailure, VerifyFailure> = {
  malformed: 'malformed',
  bad_signature: 'bad_checksum',
  expired: 'expired',
  wrong_audience: 'unknown',
}

/** Three base64url segments: a JWS in compact form (an unsigned one has an empty third). Keys never have dots. */
const compactJws = /^[\w-]+\.[\w-]+\.[\w-]*$/
export const looksLikeAccessToken = (credential: string): boolean => compactJws.test(credential)

interface VerifiedToken {
  grantId: string
  scopes: readonly Scope[]
  expiresAt: Instant
  userId: string
  clientId: string
  /** The record last built for this token, and the grant row it was built from (rebuilt when that changes). */
  record?: KeyAuthRecord
  builtFrom?: GrantAuthRow
}

const maxTtlMs = 10_000

/**
 * The access-token side of the keyed pipeline. A token's signature is checked once and the result kept until the
 * token expires (it cannot change); its grant is cached like a key record, at most 10 s, and evicted by the same
 * notification as keys, so a revocation, a role drop or a policy change reaches every node at once. A grant is
 * presented as a KeyAuthRecord: scopes, rate limits and activity rows then work as for keys.
 */
export class GrantVerifier {
  private readonly tokens: LRUCache<string, VerifiedToken>
  /** `{ missing: true }`: no such grant (cached too, like an unknown key). */
  private readonly grants: LRUCache<string, GrantAuthRow | { missing: true }>
  /** Ids this node has seen as grants, so that coalesced last-use times go to the grants table. */
  private readonly grantIds = new LRUCache<string, true>({ max: 100_000 })
  private generation = 0

  constructor(
    private readonly decode: AccessTokenDecoder,
    private readonly store: Pick<OAuthGrantStore, 'findAuthRecord'>,
    private readonly clock: Clock,
    private readonly externalChanges?: ExternalChangeSignal,
    options: { ttlMs?: number; maxEntries?: number } = {},
  ) {
    // Tokens are long strings (about 700 bytes): fewer of them are kept than grants.
    this.tokens = new LRUCache({ max: options.maxEntries ?? 20_000 })
    this.grants = new LRUCache({
      max: options.maxEntries ?? 100_000,
      ttl: Math.min(options.ttlMs ?? maxTtlMs, maxTtlMs),
    })
  }

  /** The answer without a promise when the token and its grant are cached; undefined when `verify` must read. */
  verifyKnown(token: string): VerifyResult | undefined {
    if (this.externalChanges?.changedSinceLastCheck()) this.evictAll()
    const verified = this.tokens.get(token)
    if (!verified || this.clock() >= verified.expiresAt) return undefined
    const row = this.grants.get(verified.grantId)
    return row && this.judge(verified, row)
  }

  async verify(token: string): Promise<VerifyResult> {
    const known = this.verifyKnown(token)
    if (known !== undefined) return known
    const now = this.clock()
    let verified = this.tokens.get(token)
    if (!verified || now >= verified.expiresAt) {
      this.tokens.delete(token)
      const check = await this.decode(token, now)
      if (!check.ok) {
        const reason = tokenReasons[check.reason]
        const row = check.grantId === undefined ? undefined : await this.grantRow(check.grantId)
        const key = row && !('missing' in row) ? this.recordOf(row, []) : undefined
        return { ok: false, reason, ...(key ? { key } : {}) }
      }
      const { grantId, scopes, expiresAt, userId, clientId } = check
      verified = { grantId, scopes, expiresAt, userId, clientId }
      this.tokens.set(token, verified, { ttl: Math.max(1, check.expiresAt - now) })
    }
    return this.judge(verified, await this.grantRow(verified.grantId))
  }

  /** True for ids this node verified as grants (their last use goes to the grants table, not the keys'). */
  isGrant(id: string): boolean {
    return this.grantIds.has(id)
  }

  evictKey(grantId: string): void {
    this.generation++
    this.grants.delete(grantId)
  }

  evictAll(): void {
    this.generation++
    this.grants.clear()
  }

  private async grantRow(grantId: string): Promise<GrantAuthRow | { missing: true }> {
    const cached = this.grants.get(grantId)
    if (cached) return cached
    const generation = this.generation
    const row = (await this.store.findAuthRecord(grantId)) ?? { missing: true as const }
    // A lookup that raced with an eviction does not cache what it read (as in KeyVerifier).
    if (generation === this.generation) this.grants.set(grantId, row)
    return row
  }

  private judge(verified: VerifiedToken, row: GrantAuthRow | { missing: true }): VerifyResult {
    if ('missing' in row) return { ok: false, reason: 'unknown' }
    if (row.grant.userId !== verified.userId || row.grant.clientId !== verified.clientId)
      return { ok: false, reason: 'unknown' }
    if (verified.builtFrom !== row) {
      verified.record = this.recordOf(row, verified.scopes)
      verified.builtFrom = row
    }
    const key = verified.record as KeyAuthRecord
    // A revoked grant, or a user who left the team: refused as a revoked key is.
    if (row.grant.revokedAt !== null || row.role === null) return { ok: false, reason: 'revoked', key }
    return { ok: true, key }
  }

  /** The scopes are those granted, that this token carries, and that the user's role still allows. */
  private recordOf(row: GrantAuthRow, tokenScopes: readonly Scope[]): KeyAuthRecord {
    const { grant } = row
    this.grantIds.set(grant.id, true)
    const granted = grant.scopes.filter((scope) => tokenScopes.includes(scope))
    return {
      id: grant.id,
      projectId: grant.projectId,
      accountId: grant.accountId,
      plan: row.plan,
      scopes: row.role === null ? [] : narrowToRole(granted, row.role),
      expiresAt: null,
      revokedAt: grant.revokedAt,
      createdAt: 0,
      maxLifetimeDays: null,
      disabledAt: null,
      allowedIps: [],
      rateLimitPerMinute: null,
      grant: { userId: grant.userId, clientId: grant.clientId, clientName: grant.clientName },
      mcpAllowed: row.mcpOAuth,
    }
  }
}
