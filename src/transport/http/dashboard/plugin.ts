import { createHmac } from 'node:crypto'
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { messages } from '../../../core/errors.ts'
import { apiErrorHandler, sendError } from '../../error-envelope.ts'
import { accountRoutes } from './account-routes.ts'
import { activityRoutes } from './activity-routes.ts'
import { csrfBinding, csrfCookie, type DashboardDeps, dashboardPrefix, fetchHeaders } from './deps.ts'
import { grantRoutes } from './grant-routes.ts'
import { keyControlRoutes } from './key-control-routes.ts'
import { keyPolicyRoutes } from './key-policy-routes.ts'
import { keyRoutes } from './key-routes.ts'
import { oauthConsentRoutes } from './oauth-consent-routes.ts'
import { scopeRoutes } from './scope-routes.ts'
import { sessionRoutes } from './session-routes.ts'
import { teamRoutes } from './team-routes.ts'
import { teamSettingsRoutes } from './team-settings-routes.ts'
import { webhookRoutes } from './webhook-routes.ts'

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * The dashboard's API, under its own prefix. It knows one credential, the session cookie; an `Authorization`
 * header is never read here, so an API key cannot manage anything. Every state-changing request needs the CSRF
 * token (a double-submit token bound to a signed, HttpOnly, SameSite=Strict secret cookie, and to the session: a
 * secret cookie and token tossed in from another session, even a signed-in one, do not pass).
 */
export async function registerDashboardApi(app: FastifyInstance, deps: DashboardDeps) {
  await app.register(cookie, { secret: deps.cookieSecret })
  await app.register(csrf, {
    cookieKey: csrfCookie,
    cookieOpts: {
      path: dashboardPrefix,
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies,
      signed: true,
    },
    getToken: (request) => request.headers['x-csrf-token'] as string | undefined,
    getUserInfo: csrfBinding(deps.secureCookies),
    csrfOpts: { hmacKey: createHmac('sha256', deps.cookieSecret).update('keyward csrf').digest() },
  })
  app.setErrorHandler((error: FastifyError, request, reply) =>
    error.code?.startsWith('FST_CSRF_')
      ? sendError(reply, 'forbidden', 'Invalid CSRF token')
      : apiErrorHandler(error, request, reply),
  )
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found', messages.notFound))

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('cache-control', 'no-store')
    if (safeMethods.has(request.method)) return done()
    app.csrfProtection(request, reply, done)
  })
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.config.public) return
    const session = await deps.sessions.current(fetchHeaders(request))
    if (!session) return sendError(reply, 'unauthorized', 'Sign in to continue')
    if (session.setCookies.length > 0) reply.header('set-cookie', session.setCookies)
    request.sessionUser = session.user
  })

  sessionRoutes(app, deps)
  accountRoutes(app, deps)
  teamRoutes(app, deps)
  teamSettingsRoutes(app, deps)
  keyRoutes(app, deps)
  keyPolicyRoutes(app, deps)
  keyControlRoutes(app, deps)
  grantRoutes(app, deps)
  webhookRoutes(app, deps)
  activityRoutes(app, deps)
  scopeRoutes(app, deps)
  oauthConsentRoutes(app, deps)
}
