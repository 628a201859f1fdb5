import type Provider from 'oidc-provider'
import { scopeCatalogue } from '../../core/scopes.ts'

export const openIdConfigurationPath = '/.well-known/openid-configuration'
/** RFC 8414 for an issuer without a path: the document sits at exactly this address. */
export const authorizationServerMetadataPath = '/.well-known/oauth-authorization-server'

/**
 * Serves RFC 8414 metadata from the document oidc-provider publishes for OpenID discovery: the same endpoints and
 * capabilities, with `scopes_supported` narrowed to the 11 key scopes MCP clients may ask for, and the two fields
 * MCP clients check before they start (PKCE S256, `iss` in the authorization response) stated explicitly.
 */
export function serveAuthorizationServerMetadata(provider: Provider) {
  provider.use(async (ctx, next) => {
    const rfc8414 = ctx.path === authorizationServerMetadataPath
    if (rfc8414) ctx.path = openIdConfigurationPath
    await next()
    if (ctx.path !== openIdConfigurationPath || ctx.status !== 200 || typeof ctx.body !== 'object') return
    const body = ctx.body as Record<string, unknown>
    body.code_challenge_methods_supported = ['S256']
    body.authorization_response_iss_parameter_supported = true
    if (rfc8414) body.scopes_supported = [...scopeCatalogue]
  })
}
