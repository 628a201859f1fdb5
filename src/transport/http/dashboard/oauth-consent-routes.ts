import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound } from '../../../core/errors.ts'
import {
  type ConsentCaller,
  consentDetails,
  denyConsent,
  grantConsent,
  type OAuthConsentDeps,
} from '../../oauth/consent.ts'
import { consentBindingCookie } from '../../oauth/consent-binding.ts'
import { id } from './account-routes.ts'
import { type DashboardDeps, signedInUser } from './deps.ts'

const uidParams = z.object({ uid: z.string().min(1).max(100) })
const scopeList = z.array(z.string()).readonly()
const redirectJson = z.object({ redirectTo: z.string() })
const consentJson = z.object({
  uid: z.string(),
  client: z.object({
    id: z.string(),
    name: z.string(),
    redirectHost: z.string(),
    logoUri: z.string().optional(),
  }),
  requestedScopes: scopeList,
  accessTokenLifetimeSeconds: z.number(),
  refreshTokenLifetimeSeconds: z.number(),
  accounts: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      role: z.string(),
      ceiling: scopeList,
      projects: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  ),
})

/**
 * The consent page's API (issue 17): what an MCP client asks for, and the user's answer. Signed in and CSRF-checked
 * like every dashboard route, and only for the browser that started the authorization (its binding cookie);
 * answered 404 where no authorization server runs.
 */
export function oauthConsentRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const oauth = (): OAuthConsentDeps => {
    if (!deps.oauthConsent) throw notFound('Authorization request')
    return deps.oauthConsent
  }
  const caller = (request: FastifyRequest): ConsentCaller => ({
    actor: { kind: 'user', userId: signedInUser(request).id },
    binding: request.cookies[consentBindingCookie],
  })

  typed.get(
    '/oauth/interactions/:uid',
    { schema: { params: uidParams, response: { 200: consentJson } } },
    async (request) => consentDetails(oauth(), caller(request), request.params.uid),
  )

  typed.post(
    '/oauth/interactions/:uid/consent',
    {
      schema: {
        params: uidParams,
        body: z.object({ projectId: id, scopes: z.array(z.string().max(64)).max(32) }).strict(),
        response: { 200: redirectJson },
      },
    },
    async (request) => grantConsent(oauth(), caller(request), request.params.uid, request.body),
  )

  typed.post(
    '/oauth/interactions/:uid/deny',
    { schema: { params: uidParams, response: { 200: redirectJson } } },
    async (request) => denyConsent(oauth(), caller(request), request.params.uid),
  )
}
