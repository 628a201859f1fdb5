import type { FastifyInstance } from 'fastify'
import { scopeCatalogue } from '../../core/scopes.ts'
import { sendError } from '../error-envelope.ts'

/** The authorization server's metadata documents (RFC 8414, OpenID discovery); the AS serves them where it runs. */
const authorizationServerMetadata = ['oauth-authorization-server', 'openid-configuration']
const protectedResource = 'oauth-protected-resource'

/** Where the MCP resource's metadata (RFC 9728) is found for `/api/mcp`. */
export const resourceMetadataPath = `/.well-known/${protectedResource}/api/mcp`

/**
 * What MCP clients look for before they authenticate. Every metadata address nothing answers (bare, or with the
 * resource's path after it) is a JSON 404, which MCP clients read as "no OAuth here" and then go on with the key
 * they were given: were these the dashboard's HTML page (its fallback for unknown paths), clients would fail parsing
 * it. With `resource` (the authorization server runs at `publicUrl`), the protected resource metadata of /api/mcp is
 * served, at its own address and the bare one (clients of the 2025-03-26 revision look there).
 */
export function registerWellKnown(
  app: FastifyInstance,
  options: { authorizationServer?: boolean; resource?: { publicUrl: string } } = {},
) {
  const oauth = options.resource
  const noOAuth = 'This server does not offer OAuth: send an API key as Authorization: Bearer <key>'
  const notFound = (_request: unknown, reply: Parameters<typeof sendError>[0]) =>
    sendError(reply, 'not_found', oauth ? 'No metadata here' : noOAuth)
  for (const name of [...authorizationServerMetadata, protectedResource]) {
    for (const url of [`/.well-known/${name}`, `/.well-known/${name}/*`]) {
      const bare = !url.endsWith('*')
      // The authorization server serves its own metadata at the bare addresses (its issuer has no path), and the
      // resource's metadata is served below.
      if (bare && options.authorizationServer && authorizationServerMetadata.includes(name)) continue
      if (bare && oauth && name === protectedResource) continue
      app.get(url, { schema: { hide: true } }, notFound)
    }
  }
  if (!oauth) return
  const metadata = protectedResourceMetadata(oauth.publicUrl)
  for (const url of [`/.well-known/${protectedResource}`, resourceMetadataPath]) {
    app.get(url, { schema: { hide: true } }, (_request, reply) => {
      reply.header('access-control-allow-origin', '*')
      reply.header('cache-control', 'public, max-age=3600')
      return reply.send(metadata)
    })
  }
}

/** RFC 9728: the resource, who issues tokens for it, and the scopes: the 11 key scopes, nothing else. */
export function protectedResourceMetadata(publicUrl: string) {
  return {
    resource: `${publicUrl}/api/mcp`,
    authorization_servers: [publicUrl],
    scopes_supported: [...scopeCatalogue],
    bearer_methods_supported: ['header'],
    resource_name: 'Keyward MCP server',
  }
}
