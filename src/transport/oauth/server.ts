import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JSONWebKeySet } from 'jose'
import type Provider from 'oidc-provider'
import type { ConsentDeps } from '../../core/oauth-consent.ts'
import { revokeGrantOfRevokedAccessToken } from './access-token-revocation.ts'
import type { OAuthConsentDeps } from './consent.ts'
import { consentBinding } from './consent-binding.ts'
import { consentInteractions } from './interactions.ts'
import { serveAuthorizationServerMetadata } from './metadata.ts'
import { mcpResource } from './paths.ts'
import { type AuthorizationServerOptions, createProvider } from './provider.ts'

/** The authorization server as the HTTP app mounts it, and what the rest of Keyward uses of it. */
export interface AuthorizationServer {
  provider: Provider
  /** KEYWARD_PUBLIC_URL: the issuer. */
  issuer: string
  /** `${issuer}/api/mcp`: the audience of every access token. */
  resource: string
  /** The consent page's API (mounted in the dashboard API). */
  consent: OAuthConsentDeps
  /**
   * Ends a grant's refresh tokens and codes and the provider's grant (Keyward's own revocation has recorded it;
   * this does not call back). Access tokens are JWTs: /api/mcp refuses them by their `grant_id`.
   */
  revokeByGrantId(grantId: string): Promise<void>
  /** Seconds this address must wait before it may register another client, or 0. */
  registrationThrottle(ip: string): Promise<number>
  /**
   * The consent binding cookie for this browser, when it holds the provider's interaction cookie for `uid` (it
   * started that authorization); undefined otherwise. See consent-binding.ts.
   */
  consentCookieFor(
    request: IncomingMessage,
    response: ServerResponse,
    uid: string,
  ): Promise<string | undefined>
}

export function createAuthorizationServer(
  options: AuthorizationServerOptions & {
    consent: ConsentDeps
    /** Deletes a grant's tokens, codes and provider grant from the provider's storage, without calling back. */
    deleteGrantTokens(grantId: string): Promise<void>
    /** What the provider's own revocations do to Keyward's grant (the adapter's callback, for the same cases). */
    onGrantRevoked(grantId: string): Promise<void>
    /** The sign-in throttle's budget for open client registration, per address. */
    registrationThrottle(ip: string): Promise<number>
  },
): AuthorizationServer {
  const provider = createProvider(options)
  serveAuthorizationServerMetadata(provider)
  const resource = mcpResource(options.publicUrl)
  revokeGrantOfRevokedAccessToken(provider, {
    publicJwks: options.signingKeys.publicJwks as JSONWebKeySet,
    issuer: options.publicUrl,
    resource,
    revokeGrant: async (grantId) => {
      await options.deleteGrantTokens(grantId)
      await options.onGrantRevoked(grantId)
    },
  })
  const binding = consentBinding(options.authSecret, { secure: options.publicUrl.startsWith('https:') })
  return {
    provider,
    issuer: options.publicUrl,
    resource,
    consent: {
      interactions: consentInteractions(provider, options.publicUrl),
      consent: options.consent,
      binding,
    },
    revokeByGrantId: (grantId) => options.deleteGrantTokens(grantId),
    registrationThrottle: options.registrationThrottle,
    async consentCookieFor(request, response, uid) {
      // The provider reads its own signed interaction cookie (sent on the consent page's path only).
      const interaction = await provider.interactionDetails(request, response).catch(() => undefined)
      if (interaction?.uid !== uid) return undefined
      return binding.cookie(uid, interaction.exp - Math.floor(Date.now() / 1000))
    },
  }
}
