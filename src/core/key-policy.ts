import { badRequest } from './errors.ts'
import { keyStatus } from './key-status.ts'
import type { Instant, KeyStatus } from './model.ts'
import { type ScopeSet, scopeCatalogue } from './scopes.ts'

/**
 * An account's API key policy (issue #15 §3), and the pure rules that apply it. Node-free: the dashboard imports it
 * to offer only the expirations the policy allows.
 *
 * Enforcement: `requireExpiry` and `maxLifetimeDays` are checked when a key is created (and, through
 * `checkKeyLifetime`, when it is rotated or its expiry extended). `maxLifetimeDays` is also checked at use, as GitHub
 * does for fine-grained tokens: a key older than the maximum stops working, whatever its own expiry, including a key
 * that never expires. `requireExpiry` is not enforced at use: a key without expiry created before it was switched on
 * keeps working until `maxLifetimeDays` (if any) catches it.
 */
export interface KeyPolicy {
  requireExpiry: boolean
  /** 1–366, or null: no maximum. */
  maxLifetimeDays: number | null
  /** The scope preset new keys start with (the dialog) and get when the create API is given none. */
  defaultScopes: DefaultScopePreset
  /** What a leak report (GitHub secret scanning) does to the key: revoke it, or only notify. */
  leakResponse: LeakResponse
  /** MCP (issue 17): whether API keys may call /api/mcp. The REST API is not affected. */
  mcpKeys: boolean
  /** MCP (issue 17): whether OAuth access tokens may call /api/mcp. */
  mcpOAuth: boolean
}

export const defaultScopePresets = ['all', 'read'] as const
export type DefaultScopePreset = (typeof defaultScopePresets)[number]
export const leakResponses = ['revoke', 'notify'] as const
export type LeakResponse = (typeof leakResponses)[number]

export const maxLifetimeRange = { min: 1, max: 366 } as const

/** What an account without a stored policy has: today's behaviour. */
export const defaultKeyPolicy: KeyPolicy = {
  requireExpiry: false,
  maxLifetimeDays: null,
  defaultScopes: 'all',
  leakResponse: 'revoke',
  mcpKeys: true,
  mcpOAuth: true,
}

const day = 86_400_000

/** The read-only preset: every `*.read` scope of the catalogue. */
export const readOnlyScopes = scopeCatalogue.filter((scope) => scope.endsWith('.read'))

/** The scopes a new key gets when its creator names none. */
export function defaultScopesFor(policy: Pick<KeyPolicy, 'defaultScopes'>): ScopeSet {
  return policy.defaultScopes === 'read' ? readOnlyScopes : null
}

/** The instant from which the policy refuses a key created at `createdAt`, or null when it sets no maximum. */
export function policyDeadline(createdAt: Instant, maxLifetimeDays: number | null): Instant | null {
  return maxLifetimeDays === null ? null : createdAt + maxLifetimeDays * day
}

/** The oldest creation time the policy lets a key work at `now` (0: no maximum), for queries that sort or count. */
export function policyActiveSince(maxLifetimeDays: number | null, now: Instant): Instant {
  return maxLifetimeDays === null ? 0 : now - maxLifetimeDays * day
}

/** True once a key has lived longer than the policy's maximum: at use it is refused as expired. */
export function outlivesPolicy(
  key: { createdAt: Instant; maxLifetimeDays: number | null },
  now: Instant,
): boolean {
  const deadline = policyDeadline(key.createdAt, key.maxLifetimeDays)
  return deadline !== null && now > deadline
}

/** A key's status with the policy's maximum lifetime applied: what the key list shows and verification enforces. */
export function keyStatusUnderPolicy<
  K extends { revokedAt: Instant | null; expiresAt: Instant | null; createdAt: Instant },
>(key: K, maxLifetimeDays: number | null, now: Instant): KeyStatus {
  const status = keyStatus(key, now)
  return status === 'active' && outlivesPolicy({ createdAt: key.createdAt, maxLifetimeDays }, now)
    ? 'expired'
    : status
}

/**
 * The check every path that sets a key's expiry goes through: creation, rotation and an expiry change. `createdAt` is
 * where the lifetime is counted from (the key's creation); `expiresAt` null means "never". Throws a `bad_request`
 * that names the policy's limit.
 */
export function checkKeyLifetime(policy: KeyPolicy, createdAt: Instant, expiresAt: Instant | null): void {
  if (expiresAt === null) {
    if (policy.requireExpiry || policy.maxLifetimeDays !== null) {
      const limit = policy.maxLifetimeDays === null ? '' : ` of at most ${policy.maxLifetimeDays} days`
      throw badRequest(`The account's key policy requires an expiration${limit}`)
    }
    return
  }
  const deadline = policyDeadline(createdAt, policy.maxLifetimeDays)
  if (deadline !== null && expiresAt > deadline) {
    throw badRequest(
      `The account's key policy allows a lifetime of at most ${policy.maxLifetimeDays} days from creation`,
    )
  }
}

/** The longest lifetime (ms) the policy allows a new key, or null when any (including "never") is allowed. */
export function allowedLifetimeMs(policy: KeyPolicy): { max: number | null; neverAllowed: boolean } {
  return {
    max: policy.maxLifetimeDays === null ? null : policy.maxLifetimeDays * day,
    neverAllowed: !policy.requireExpiry && policy.maxLifetimeDays === null,
  }
}

/** A requested change to a policy: the fields given replace the current ones. */
export type KeyPolicyChange = Partial<KeyPolicy>

/** Validates a change against the current policy and returns the policy it makes; bad input changes nothing. */
export function applyKeyPolicyChange(current: KeyPolicy, change: Record<string, unknown>): KeyPolicy {
  const known = new Set([
    'requireExpiry',
    'maxLifetimeDays',
    'defaultScopes',
    'leakResponse',
    'mcpKeys',
    'mcpOAuth',
  ])
  const unknown = Object.keys(change).filter((name) => !known.has(name))
  if (unknown.length > 0) throw badRequest(`Unknown key policy field: ${unknown.join(', ')}`)
  const next = { ...current }
  if (change.requireExpiry !== undefined) {
    if (typeof change.requireExpiry !== 'boolean') throw badRequest('requireExpiry must be true or false')
    next.requireExpiry = change.requireExpiry
  }
  if (change.maxLifetimeDays !== undefined) {
    const days = change.maxLifetimeDays
    if (
      days !== null &&
      !(
        typeof days === 'number' &&
        Number.isInteger(days) &&
        days >= maxLifetimeRange.min &&
        days <= maxLifetimeRange.max
      )
    )
      throw badRequest(
        `maxLifetimeDays must be a whole number of days from ${maxLifetimeRange.min} to ${maxLifetimeRange.max}, or null`,
      )
    next.maxLifetimeDays = days
  }
  if (change.defaultScopes !== undefined) {
    if (!defaultScopePresets.includes(change.defaultScopes as DefaultScopePreset))
      throw badRequest(`defaultScopes must be one of: ${defaultScopePresets.join(', ')}`)
    next.defaultScopes = change.defaultScopes as DefaultScopePreset
  }
  for (const name of ['mcpKeys', 'mcpOAuth'] as const) {
    if (change[name] === undefined) continue
    if (typeof change[name] !== 'boolean') throw badRequest(`${name} must be true or false`)
    next[name] = change[name]
  }
  if (change.leakResponse !== undefined) {
    if (!leakResponses.includes(change.leakResponse as LeakResponse))
      throw badRequest(`leakResponse must be one of: ${leakResponses.join(', ')}`)
    next.leakResponse = change.leakResponse as LeakResponse
  }
  return next
}

/** `90d`, `90` or `none`, as the CLI's --max-lifetime takes it. */
export function parseMaxLifetime(text: string): number | null {
  if (text === 'none' || text === 'never') return null
  const match = /^(\d{1,3})d?$/.exec(text.trim())
  const days = match ? Number(match[1]) : Number.NaN
  if (!(days >= maxLifetimeRange.min && days <= maxLifetimeRange.max))
    throw badRequest(`Invalid max lifetime: ${text} (use 1d to 366d, or none)`)
  return days
}
