import type { Instant, KeyStatus } from './model.ts'

/**
 * Derived in DESIGN §9's order (revoked, disabled, expired, active), with `exposed` first: a key reported as leaked
 * shows `exposed` whether its account's leak response revoked it or only flagged it, so that the admin sees why.
 * Verification never passes `exposedAt`: a flagged key keeps working until someone revokes it. A key is valid
 * through the instant `expiresAt`, and expired from the next millisecond on.
 */
export function keyStatus(
  key: {
    revokedAt: Instant | null
    expiresAt: Instant | null
    exposedAt?: Instant | null
    disabledAt?: Instant | null
  },
  now: Instant,
): KeyStatus {
  if (key.exposedAt != null) return 'exposed'
  if (key.revokedAt !== null) return 'revoked'
  if (key.disabledAt != null) return 'disabled'
  if (key.expiresAt !== null && now > key.expiresAt) return 'expired'
  return 'active'
}
