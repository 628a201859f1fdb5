import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import { authorizationServerMetadataPath, openIdConfigurationPath } from './metadata.ts'
import { consentPagePath, oauthRoutes } from './paths.ts'
import type { AuthorizationServer } from './server.ts'

const read: HTTPMethods[] = ['GET', 'OPTIONS'] // Fastify adds HEAD to GET
const write: HTTPMethods[] = ['POST', 'OPTIONS']

/** The provider's addresses, each with the methods it answers (OPTIONS: its CORS preflight). */
const mounted: Array<[string, HTTPMethods[]]> = [
  [oauthRoutes.authorization, ['GET', 'POST']],
  [`${oauthRoutes.authorization}/:uid`, ['GET']], // where the consent page sends the browser back
  [oauthRoutes.token, write],
  [oauthRoutes.registration, write],
  [oauthRoutes.revocation, write],
  [oauthRoutes.jwks, read],
  [oauthRoutes.end_session, ['GET', 'POST']],
  [`${oauthRoutes.end_session}/confirm`, ['POST']],
  [`${oauthRoutes.end_session}/success`, ['GET']],
  [openIdConfigurationPath, read],
  [authorizationServerMetadataPath, read],
]

/**
 * Mounts oidc-provider (a Koa app) in Fastify: each of its addresses hands the raw request and response over
 * (`reply.hijack()`), and Fastify leaves the body unread so that the provider parses it as it expects. Only these
 * addresses: `/oauth/consent/:uid` stays the dashboard's page.
 */
export async function registerAuthorizationServer(app: FastifyInstance, server: AuthorizationServer) {
  const handle = server.provider.callback()
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    const pass = async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.method === 'POST' && request.routeOptions.url === oauthRoutes.registration) {
        // Registration is open: each one is a stored client, so one address may not register without end.
        const wait = await server.registrationThrottle(request.ip)
        if (wait > 0)
          return reply
            .code(429)
            .header('retry-after', String(wait))
            .header('cache-control', 'no-store')
            .send({
              error: 'temporarily_unavailable',
              error_description: 'Too many registrations; try again later',
            })
      }
      reply.hijack()
      handle(request.raw, reply.raw)
    }
    for (const [url, method] of mounted) scope.route({ method, url, handler: pass, schema: { hide: true } })
  })
}

/**
 * The consent page: the dashboard's own page (its not-found handler serves the SPA, with the dashboard's security
 * headers), plus the binding cookie for the browser that started this authorization (see consent-binding.ts).
 * Registered in the dashboard's browser context.
 */
export function registerConsentPage(browser: FastifyInstance, server: AuthorizationServer) {
  browser.get(consentPagePath(':uid'), { schema: { hide: true } }, async (request, reply) => {
    const { uid } = request.params as { uid: string }
    const cookie = await server.consentCookieFor(request.raw, reply.raw, uid)
    if (cookie) reply.header('set-cookie', cookie)
    return reply.callNotFound()
  })
}
