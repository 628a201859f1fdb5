import { randomBytes, randomUUID } from 'node:crypto'
import { importJWK, type JWK, SignJWT } from 'jose'
import type { Actor } from '../../src/core/model.ts'
import type { Scope } from '../../src/core/scopes.ts'
import { loadSigningKeys } from '../../src/identity/oauth-signing-keys.ts'
import type { Keyward } from '../../src/main.ts'

/**
 * Access tokens exactly as the authorization server issues them (OAUTH-CONTRACT.md: RFC 9068, ES256 with the first
 * shared signing key, `grant_id`), and their grants, recorded through the grant use-case: the resource side is
 * tested without the authorization server.
 */
export interface TokenOptions {
  grantId: string
  userId: string
  clientId?: string
  scopes: readonly string[]
  /** Seconds from now (negative: already expired). */
  expiresIn?: number
  audience?: string
  issuer?: string
  typ?: string
}

export async function mintAccessToken(keyward: Keyward, options: TokenOptions): Promise<string> {
  const { privateJwks } = await loadSigningKeys(keyward.database.db, Date.now())
  const jwk = privateJwks.keys[0] as JWK
  const key = await importJWK(jwk, 'ES256')
  const now = Math.floor(Date.now() / 1000)
  const publicUrl = keyward.config.publicUrl
  return new SignJWT({
    client_id: options.clientId ?? 'client-1',
    scope: options.scopes.join(' '),
    grant_id: options.grantId,
  })
    .setProtectedHeader({ alg: 'ES256', typ: options.typ ?? 'at+jwt', kid: jwk.kid })
    .setIssuer(options.issuer ?? publicUrl)
    .setAudience(options.audience ?? `${publicUrl}/api/mcp`)
    .setSubject(options.userId)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .setJti(randomUUID())
    .sign(key)
}

/** The same claims, unsigned (`alg: none`): what an attacker without the key would try. */
export function unsignedToken(signed: string): string {
  const [, payload] = signed.split('.')
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')
  return `${header}.${payload}.`
}

/** The same token with one claim changed and the signature kept: refused as altered. */
export function tamperedToken(signed: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = signed.split('.') as [string, string, string]
  const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), ...change }
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`
}

/** A consent recorded as the authorization server records it, and a token of it. */
export async function grantAndToken(
  keyward: Keyward,
  input: {
    user: Actor & { kind: 'user' }
    projectId: string
    scopes: readonly Scope[]
    clientName?: string
    expiresIn?: number
  },
) {
  const grantId = randomBytes(16).toString('base64url')
  const clientId = `client-${randomBytes(4).toString('hex')}`
  const grant = await keyward.services.grants.record(input.user, {
    id: grantId,
    projectId: input.projectId,
    userId: input.user.userId,
    clientId,
    clientName: input.clientName ?? 'Claude Code',
    redirectHost: '127.0.0.1',
    scopes: input.scopes,
  })
  const token = await mintAccessToken(keyward, {
    grantId,
    userId: input.user.userId,
    clientId,
    scopes: input.scopes,
    ...(input.expiresIn !== undefined ? { expiresIn: input.expiresIn } : {}),
  })
  return { grant, token }
}
