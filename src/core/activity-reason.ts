/**
 * Why a keyed request was refused: a closed set, computed where the refusal is decided and shown to the
 * key's account beside the generic answer the caller got. A request that was not refused has none (`null`), and so
 * have failures that are not refusals (bad input, not found, a server error).
 *
 * OAuth access tokens on /api/mcp (issue 17) reuse the keys' reasons: an undecodable or unsigned (`alg: none`)
 * token is `malformed`, a bad signature `bad_checksum` (the credential was altered), a token for another issuer or
 * resource or of an unknown grant `unknown_key`, an expired token `expired`, a revoked grant or one whose user left
 * the team `revoked`. `mcp_disabled`: the account's policy switched this kind of credential (keys or OAuth) off on
 * MCP (a 403).
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
  'mcp_disabled',
] as const
export type ActivityReason = (typeof activityReasons)[number]

export const isActivityReason = (value: string): value is ActivityReason =>
  (activityReasons as readonly string[]).includes(value)
