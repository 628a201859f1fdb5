/**
 * Why a keyed request was refused: a closed set, computed where the refusal is decided and shown to the
 * key's account beside the generic answer the caller got. A request that was not refused has none (`null`), and so
 * have failures that are not refusals (bad input, not found, a server error).
 */
export const activityReasons = [
  'missing_key',
  'malformed',
  'bad_checksum',
  'unknown_key',
  'revoked',
  'expired',
  'exposed',
  'disabled',
  'previous_secret',
  'wrong_project',
  'plan',
  'missing_scope',
  'ip_not_allowed',
  'rate_limited',
] as const
export type ActivityReason = (typeof activityReasons)[number]

export const isActivityReason = (value: string): value is ActivityReason =>
  (activityReasons as readonly string[]).includes(value)
