/** The authorization server's addresses and lifetimes, without loading oidc-provider (the app imports these). */

/** Every address of the authorization server is under /oauth/ (its discovery documents under /.well-known/). */
export const oauthRoutes = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  registration: '/oauth/register',
  revocation: '/oauth/revoke',
  jwks: '/oauth/jwks',
  end_session: '/oauth/logout',
  // Switched off; named here so that none of them lands outside /oauth/.
  userinfo: '/oauth/userinfo',
  introspection: '/oauth/introspect',
  pushed_authorization_request: '/oauth/par',
  device_authorization: '/oauth/device/auth',
  code_verification: '/oauth/device',
  backchannel_authentication: '/oauth/backchannel',
} as const

/** The consent page (the dashboard's SPA) for one interaction. */
export const consentPagePath = (uid: string) => `/oauth/consent/${uid}`

export const accessTokenLifetimeSeconds = 3600
/** Idle lifetime: each use rotates the refresh token and starts a new one. */
export const refreshTokenLifetimeSeconds = 30 * 24 * 3600

/** The MCP endpoint: the one resource tokens are issued for (RFC 8707). */
export const mcpResource = (publicUrl: string) => `${publicUrl}/api/mcp`
