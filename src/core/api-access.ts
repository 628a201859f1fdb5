import type { ActivityReason } from './activity-reason.ts'
import { messages } from './errors.ts'
import { ipAllowed } from './ip-allowlist.ts'
import type { KeyAuthRecord } from './model.ts'
import { planHasApiAccess, rateLimitPerMinute } from './plans.ts'
import { hasScope, type Scope } from './scopes.ts'
import type { VerifyFailure, VerifyResult } from './verify.ts'

/** A key verifier or, on /api/mcp, the access-token verifier (core/grant-verify.ts): the same two calls. */
export interface CredentialVerifier {
  verifyKnown(credential: string): VerifyResult | undefined
  verify(credential: string): Promise<VerifyResult>
}

/**
 * Why a keyed request was refused, and exactly what the caller may be told. The code says what kind of refusal it
 * is; each transport maps it to its own status (HTTP through `transport/error-status.ts`), so the core names none.
 */
export interface ApiDenial {
  /** `unauthorized`: no valid key. `forbidden`: a valid key refused for its project, plan or scope. */
  code: 'unauthorized' | 'forbidden'
  message: string
  /** The `WWW-Authenticate` value (RFC 6750). */
  challenge?: string
  /** Why, for the activity log: the key's account sees it, the caller never does. */
  reason: ActivityReason
  /** For `wrong_project`: the project the request asked for. */
  requestedProjectId?: string
}

/** What a request must satisfy, and where it comes from (the transport's client address, for the IP allowlist). */
export interface AccessRequirements {
  projectId?: string
  scope?: Scope
  clientIp?: string
  /** The request is an MCP one: the account's policy may have switched this kind of credential off there. */
  mcp?: boolean
}

export type ApiAccess =
  | { ok: true; key: KeyAuthRecord }
  | { ok: false; denial: ApiDenial; key?: KeyAuthRecord }

/**
 * `Authorization: Bearer <key>`, scheme case-insensitive. Anything else (no header, another scheme, an empty
 * credential) counts as no key; keys in the URL are never read.
 */
export function bearerKey(authorization: string | undefined): string | undefined {
  const match = authorization?.match(/^bearer +(\S+) *$/i)
  return match?.[1]
}

/**
 * The keyed pipeline's decisions, in order: verify → project → plan → scope. Every authentication failure gets
 * the same answer; the reason goes to the activity log only.
 */
export async function authorizeApiRequest(
  verifier: CredentialVerifier,
  rawKey: string | undefined,
  required: AccessRequirements,
): Promise<ApiAccess> {
  return (
    authorizeKnownKey(verifier, rawKey, required) ??
    judgeAccess(await verifier.verify(rawKey as string), required)
  )
}

/**
 * `authorizeApiRequest` without a promise when the verifier needs no database read (see `KeyVerifier.verifyKnown`);
 * undefined when it does.
 */
export function authorizeKnownKey(
  verifier: CredentialVerifier,
  rawKey: string | undefined,
  required: AccessRequirements,
): ApiAccess | undefined {
  if (rawKey === undefined) {
    return { ok: false, denial: unauthorized('Bearer', 'missing_key') }
  }
  const verified = verifier.verifyKnown(rawKey)
  return verified && judgeAccess(verified, required)
}

function judgeAccess(verified: VerifyResult, required: AccessRequirements): ApiAccess {
  if (!verified.ok) {
    const denial = unauthorized('Bearer error="invalid_token"', verifyReasons[verified.reason])
    return { ok: false, denial, ...(verified.key ? { key: verified.key } : {}) }
  }
  const key = verified.key
  // Before anything else about the key: a caller outside its allowlist learns nothing of its project or scopes.
  if (!ipAllowed(key, required.clientIp))
    return { ok: false, key, denial: forbiddenBecause(messages.ipNotAllowed, 'ip_not_allowed') }
  if (required.mcp && key.mcpAllowed === false) {
    const message = key.grant ? messages.mcpOAuthDisabled : messages.mcpKeysDisabled
    return { ok: false, key, denial: forbiddenBecause(message, 'mcp_disabled') }
  }
  if (required.projectId !== undefined && key.projectId !== required.projectId) {
    const denial = forbiddenBecause(messages.wrongProject, 'wrong_project')
    return { ok: false, key, denial: { ...denial, requestedProjectId: required.projectId } }
  }
  if (!planHasApiAccess(key.plan))
    return { ok: false, key, denial: forbiddenBecause(messages.noApiAccess, 'plan') }
  if (required.scope && !hasScope(key.scopes, required.scope)) {
    const challenge = `Bearer error="insufficient_scope", scope="${required.scope}"`
    const denial = forbiddenBecause(messages.missingScope(required.scope), 'missing_scope')
    return { ok: false, key, denial: { ...denial, challenge } }
  }
  return { ok: true, key }
}

const verifyReasons: Record<VerifyFailure, ActivityReason> = {
  malformed: 'malformed',
  bad_checksum: 'bad_checksum',
  unknown: 'unknown_key',
  expired: 'expired',
  revoked: 'revoked',
  exposed: 'exposed',
  disabled: 'disabled',
}

function unauthorized(challenge: string, reason: ActivityReason): ApiDenial {
  return { code: 'unauthorized', message: messages.unauthorized, challenge, reason }
}

function forbiddenBecause(message: string, reason: ActivityReason): ApiDenial {
  return { code: 'forbidden', message, reason }
}

/** A key's per-minute budget: its plan's, or its own override where lower (a plan downgraded since caps it too). */
export function keyRateLimit(key: Pick<KeyAuthRecord, 'plan' | 'rateLimitPerMinute'>): number {
  const plan = rateLimitPerMinute[key.plan]
  return key.rateLimitPerMinute === null ? plan : Math.min(plan, key.rateLimitPerMinute)
}
