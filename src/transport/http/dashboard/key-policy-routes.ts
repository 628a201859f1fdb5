import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { defaultScopePresets, leakResponses } from '../../../core/key-policy.ts'
import { id } from './account-routes.ts'
import { type DashboardDeps, userActor } from './deps.ts'
import { keyRowWithoutCreator } from './json.ts'
import { keyPolicyJson, keyPolicyPreviewJson } from './wire.ts'

const accountParams = z.object({ accountId: id })
/** The fields to change; the ones left out keep their value. Ranges are the core's to check (one message). */
const policyChange = z
  .object({
    requireExpiry: z.boolean().optional(),
    maxLifetimeDays: z.number().nullable().optional(),
    defaultScopes: z.enum(defaultScopePresets).optional(),
    leakResponse: z.enum(leakResponses).optional(),
    mcpKeys: z.boolean().optional(),
    mcpOAuth: z.boolean().optional(),
  })
  .strict()

/** Team → Settings → API key policy: any member reads it, Owners (`roles.manage`) change it. */
export function keyPolicyRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const policies = deps.services.keyPolicy

  typed.get(
    '/accounts/:accountId/key-policy',
    { schema: { params: accountParams, response: { 200: keyPolicyJson } } },
    async (request) => policies.get(userActor(request), request.params),
  )

  typed.patch(
    '/accounts/:accountId/key-policy',
    { schema: { params: accountParams, body: policyChange, response: { 200: keyPolicyJson } } },
    async (request) => policies.update(userActor(request), { ...request.params, change: request.body }),
  )

  // Read-only (no change is saved), yet a POST: it carries the proposed policy as a body.
  typed.post(
    '/accounts/:accountId/key-policy/preview',
    { schema: { params: accountParams, body: policyChange, response: { 200: keyPolicyPreviewJson } } },
    async (request) => {
      const { policy, affected } = await policies.preview(userActor(request), {
        ...request.params,
        change: request.body,
      })
      return { policy, affected: affected.map(keyRowWithoutCreator) }
    },
  )
}
