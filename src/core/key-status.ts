import type { Instant, KeyStatus } from './model.ts'

/**
 * Derived in DESIGN §9's order: revoked, disabled, expired, active. A key is valid through the instant `expiresAt`,
 * and expired from the next millisecond on.
 */
export function keyStatus(
  key: { revokedAt: Instant | null; expiresAt: Instant | null; disabledAt?: Instant | null },
  now: Instant,
): KeyStatus {
  if (key.revokedAt !== null) return 'revoked'
  if (key.disabledAt != null) return 'disabled'
  if (key.expiresAt !== null && now > key.expiresAt) return 'expired'
  return 'active'
}
