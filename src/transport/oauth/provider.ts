import { createHmac } from 'node:crypto'
import Provider, { type Configuration, errors, type JWKS } from 'oidc-provider'
import type { UserDirectory } from '../../core/ports.ts'
import { scopeCatalogue } from '../../core/scopes.ts'
import type { SigningKeys } from '../../identity/oauth-signing-keys.ts'
import {
  accessTokenLifetimeSeconds,
  consentPagePath,
  mcpResource,
  oauthRoutes,
  refreshTokenLifetimeSeconds,
} from './paths.ts'

/** How long a consent lasts without Keyward revoking it: as long as refresh tokens keep being used, up to a year. */
const grantLifetimeSeconds = 365 * 24 * 3600

export interface AuthorizationServerOptions {
  /** KEYWARD_PUBLIC_URL: the issuer, exactly. */
  publicUrl: string
  /** oidc-provider's storage (storage/oauth-adapter.ts), which also reports the provider's grant revocations. */
  adapter: NonNullable<Configuration['adapter']>
  signingKeys: SigningKeys
  /** The server secret (sessions, CSRF): the provider's cookie keys derive from it, so every node shares them. */
  authSecret: string
  users: Pick<UserDirectory, 'findById'>
  /** Behind a TLS-terminating proxy, the provider trusts X-Forwarded-* (secure cookies, its own URLs). */
  trustProxy?: boolean | string
}

export function createProvider(options: AuthorizationServerOptions): Provider {
  const resource = mcpResource(options.publicUrl)
  const cookieKey = createHmac('sha256', options.authSecret)
    .update('keyward oauth cookies')
    .digest('base64url')
  const configuration: Configuration & { sectorIdentifierUriValidate: () => boolean } = {
    sectorIdentifierUriValidate: () => false,
    adapter: options.adapter,
    jwks: options.signingKeys.privateJwks as JWKS,
    routes: oauthRoutes,
    // The 11 key scopes are also the server's own, so that registration accepts them as a client's `scope`.
    scopes: [...scopeCatalogue, 'offline_access'],
    responseTypes: ['code'],
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    pkce: { methods: ['S256'], required: () => true },
    cookies: {
      keys: [cookieKey],
      long: { httpOnly: true, sameSite: 'none', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    // MCP clients may run in a browser; every token they hold is bound to the MCP resource anyway.
    clientBasedCORS: () => true,
    // The provider itself fetches nothing: not a client's sector_identifier_uri (which would let anyone registering
    // a client make this server probe internal addresses, and read the answer in the error), nor any jwks_uri or
    // request_uri. Client metadata documents are fetched by Keyward, through the webhooks' SSRF guard. An already
    // aborted signal makes any fetch a feature might still attempt fail at once, the same way for every address.
    httpOptions: () => ({ signal: AbortSignal.abort() }),
    features: {
      devInteractions: { enabled: false },
      // Open registration (RFC 7591): no initial access token. No management (RFC 7592) either, so no registration
      // access token to store for ever (the option exists in 8.8.1's lib/helpers/defaults.js; its types lag).
      registration: {
        enabled: true,
        initialAccessToken: false,
        ...({ issueRegistrationAccessToken: false } as object),
      },
      revocation: { enabled: true },
      introspection: { enabled: false },
      userinfo: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      // Kept on: when another dashboard user consents in a browser that holds a provider session, the provider
      // ends that session through its logout confirmation before resuming.
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) =>
          oneOf ? (oneOf.includes(resource) ? resource : oneOf) : resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget(`the only resource is ${resource}`)
          return {
            scope: scopeCatalogue.join(' '),
            audience: resource,
            accessTokenTTL: accessTokenLifetimeSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          }
        },
      },
    },
    // Without a scope the request asks for everything; the user picks at consent (read-only by default).
    extraParams: {
      scope(ctx, value) {
        if (!value && ctx.oidc.params) ctx.oidc.params.scope = scopeCatalogue.join(' ')
      },
    },
    extraTokenClaims: (_ctx, token) => ('grantId' in token ? { grant_id: token.grantId } : undefined),
    // Every authorization is a new consent, because each grant binds one project: never reuse a session's grant.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined
    },
    interactions: { url: (_ctx, interaction) => consentPagePath(interaction.uid) },
    findAccount: async (_ctx, sub) =>
      (await options.users.findById(sub)) ? { accountId: sub, claims: () => ({ sub }) } : undefined,
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Tokens outlive the provider's browser session: they end when the grant is revoked, not at sign-out.
    expiresWithSession: () => false,
    rotateRefreshToken: true,
    ttl: {
      AccessToken: accessTokenLifetimeSeconds,
      AuthorizationCode: 60,
      RefreshToken: refreshTokenLifetimeSeconds,
      Grant: grantLifetimeSeconds,
      Interaction: 3600,
      Session: 24 * 3600,
      IdToken: 3600,
    },
    // A client ID that is an https URL is fetched as its metadata document (storage/oauth-adapter.ts).
    discovery: { client_id_metadata_document_supported: true },
    renderError: (ctx, out) => {
      ctx.type = 'json'
      ctx.body = out
    },
  }
  const provider = new Provider(options.publicUrl, configuration)
  provider.proxy = Boolean(options.trustProxy)
  return provider
}
