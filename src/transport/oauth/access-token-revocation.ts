import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'
import type Provider from 'oidc-provider'
import { oauthRoutes } from './paths.ts'

/**
 * RFC 7009 for access tokens. oidc-provider stores no JWT access token, so it answers 200 and revokes nothing; yet
 * a client that revokes its access token means to disconnect. When the token is one of ours (signature, issuer,
 * audience, type) and belongs to the calling client, its grant ends: /api/mcp refuses tokens by their grant.
 */
export function revokeGrantOfRevokedAccessToken(
  provider: Provider,
  options: {
    publicJwks: JSONWebKeySet
    issuer: string
    resource: string
    revokeGrant(grantId: string): Promise<void>
  },
) {
  const keys = createLocalJWKSet(options.publicJwks)
  provider.use(async (ctx, next) => {
    await next()
    if (ctx.path !== oauthRoutes.revocation || ctx.method !== 'POST' || ctx.status !== 200) return
    const token: unknown = ctx.oidc?.body?.token
    const clientId = ctx.oidc?.client?.clientId
    if (typeof token !== 'string' || token.split('.').length !== 3 || !clientId) return
    const verified = await jwtVerify(token, keys, {
      issuer: options.issuer,
      audience: options.resource,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    }).catch(() => undefined) // not ours, tampered or expired: nothing to revoke, and the answer stays 200
    const grantId = verified?.payload.grant_id
    if (verified?.payload.client_id === clientId && typeof grantId === 'string')
      await options.revokeGrant(grantId)
  })
}
