import type { FastifyInstance } from 'fastify'
import { sendError } from '../error-envelope.ts'

/** The metadata documents MCP clients look for before they authenticate (RFC 9728, RFC 8414, OpenID discovery). */
const oauthMetadata = ['oauth-protected-resource', 'oauth-authorization-server', 'openid-configuration']
/** The authorization server's own documents (RFC 8414, OpenID discovery). */
const asMetadata = ['oauth-authorization-server', 'openid-configuration']

/**
 * Keyward takes API keys, not OAuth tokens, for now: every OAuth metadata address (bare, or with the resource's path
 * after it, as in `/.well-known/oauth-protected-resource/api/mcp`) is a JSON 404, which MCP clients read as "no
 * OAuth here" and then go on with the key they were given. Were these the dashboard's HTML page (its fallback for
 * unknown paths), clients would fail parsing it.
 */
export function registerWellKnown(app: FastifyInstance, options: { authorizationServer?: boolean } = {}) {
  const noOAuth = 'This server does not offer OAuth: send an API key as Authorization: Bearer <key>'
  for (const name of oauthMetadata) {
    // Where the authorization server runs, it serves its own metadata at the bare addresses (issuer has no path).
    const servedByAs = options.authorizationServer && asMetadata.includes(name)
    const urls = servedByAs ? [`/.well-known/${name}/*`] : [`/.well-known/${name}`, `/.well-known/${name}/*`]
    for (const url of urls) {
      app.get(url, { schema: { hide: true } }, (_request, reply) => sendError(reply, 'not_found', noOAuth))
    }
  }
}
