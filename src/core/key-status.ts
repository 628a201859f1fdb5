import type { Instant, KeyStatus } from './model.ts'

/** A key is valid through the instant `expiresAt`, and expired from the next millisecond on. */
export function keyStatus(
  key: { revokedAt: Instant | null; expiresAt: Instant | null },
  now: Instant,
): KeyStatus {
  if (key.revokedAt !== null) return 'revoked'
  if (key.expiresAt !== null && now > key.expiresAt) return 'expired'
  return 'active'
}
