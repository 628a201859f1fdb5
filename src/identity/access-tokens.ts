import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose'
import type { AccessTokenCheck, AccessTokenDecoder } from '../core/grant-verify.ts'
import { isScope, type Scope } from '../core/scopes.ts'
import { accessTokenAlgorithm } from './oauth-signing-keys.ts'

export interface AccessTokenDecoderOptions {
  /** `KEYWARD_PUBLIC_URL`, exactly: the authorization server's issuer. */
  issuer: string
  /** The MCP resource, `<issuer>/api/mcp` (RFC 8707): a token for anything else is refused. */
  audience: string
  /** The public signing keys, read from the database (shared by every node). */
  loadKeys(): Promise<JSONWebKeySet>
}

/**
 * A key the authorization server added after this node read the keys (two nodes creating the first key at once) is
 * looked for again, at most this often: tokens with an unknown `kid` cost one read a second at most.
 */
const reloadEveryMs = 1_000

/**
 * Checks an access token (RFC 9068) with jose: ES256 only (no `none`, no HMAC confusion), `typ` at+jwt, the issuer,
 * the audience and the lifetime. No hand-made crypto; the reasons map to the keys' activity reasons in core.
 */
export function createAccessTokenDecoder(options: AccessTokenDecoderOptions): AccessTokenDecoder {
  let keys: Promise<ReturnType<typeof createLocalJWKSet>> | undefined
  let loadedAt = 0
  const keySet = (reload: boolean) => {
    if (!keys || (reload && Date.now() - loadedAt > reloadEveryMs)) {
      loadedAt = Date.now()
      keys = options.loadKeys().then(createLocalJWKSet)
      keys.catch(() => {
        keys = undefined
      })
    }
    return keys
  }

  const verify = async (token: string, now: number, reload: boolean) =>
    jwtVerify(token, await keySet(reload), {
      issuer: options.issuer,
      audience: options.audience,
      typ: 'at+jwt',
      algorithms: [accessTokenAlgorithm],
      currentDate: new Date(now),
      requiredClaims: ['exp', 'sub', 'client_id', 'grant_id'],
      clockTolerance: 0,
    })

  return async (token, now): Promise<AccessTokenCheck> => {
    try {
      let verified: Awaited<ReturnType<typeof verify>>
      try {
        verified = await verify(token, now, false)
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error
        verified = await verify(token, now, true)
      }
      return accepted(verified.payload)
    } catch (error) {
      return refused(error)
    }
  }
}

function accepted(payload: JWTPayload): AccessTokenCheck {
  const claims = payload as JWTPayload & { grant_id?: unknown; scope?: unknown; client_id?: unknown }
  const { grant_id: grantId, scope, exp, sub: userId, client_id: clientId } = claims
  if (
    typeof grantId !== 'string' ||
    grantId === '' ||
    typeof exp !== 'number' ||
    typeof userId !== 'string' ||
    typeof clientId !== 'string'
  )
    return { ok: false, reason: 'malformed' }
  const scopes = typeof scope === 'string' ? scope.split(' ').filter(isScope) : []
  return { ok: true, grantId, scopes: scopes as Scope[], expiresAt: exp * 1000, userId, clientId }
}

function refused(error: unknown): AccessTokenCheck {
  // Expired, yet signed by us: its grant is named in the activity row, as an expired key is.
  if (error instanceof errors.JWTExpired) {
    const grantId = (error.payload as { grant_id?: unknown }).grant_id
    return { ok: false, reason: 'expired', ...(typeof grantId === 'string' ? { grantId } : {}) }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
    return { ok: false, reason: 'bad_signature' }
  if (error instanceof errors.JWTClaimValidationFailed && ['iss', 'aud'].includes(error.claim))
    return { ok: false, reason: 'wrong_audience' }
  return { ok: false, reason: 'malformed' }
}
