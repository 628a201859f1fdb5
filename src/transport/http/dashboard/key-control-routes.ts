import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { maxBulkRevoke } from '../../../core/key-controls.ts'
import { id } from './account-routes.ts'
import { type DashboardDeps, userActor } from './deps.ts'
import { keyRow } from './json.ts'
import { keyRowJson, keyRowListJson } from './wire.ts'

/**
 * The per-key controls (issue #16 §3), one body shape for create and update. The bounds here only keep junk out
 * cheaply; the core validates every field (CIDRs, the plan's limit, tag syntax) and answers 400 with the reason.
 */
export const keyControlsBody = z.object({
  allowedIps: z.array(z.string().max(64)).max(100).nullable().optional(),
  rateLimitPerMinute: z.number().int().nullable().optional(),
  description: z.string().max(2000).nullable().optional(),
  tags: z.array(z.string().max(64)).max(100).nullable().optional(),
})

const keyParams = z.object({ keyId: id })

/** Controls, disable/enable and bulk revoke: each answers with the rows as the table shows them after the change. */
export function keyControlRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const keys = deps.services.keys
  const rowOf = async (request: FastifyRequest, keyId: string) =>
    keyRow(await deps.queries.keyRow(userActor(request), { keyId }))

  typed.patch(
    '/keys/:keyId/controls',
    { schema: { params: keyParams, body: keyControlsBody.strict(), response: { 200: keyRowJson } } },
    async (request) => {
      await keys.updateControls(userActor(request), { ...request.params, ...request.body })
      return rowOf(request, request.params.keyId)
    },
  )

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    typed.post(
      `/keys/:keyId/${action}`,
      { schema: { params: keyParams, response: { 200: keyRowJson } } },
      async (request) => {
        await keys.setDisabled(userActor(request), { ...request.params, disabled })
        return rowOf(request, request.params.keyId)
      },
    )
  }

  typed.post(
    '/accounts/:accountId/keys/revoke',
    {
      schema: {
        params: z.object({ accountId: id }),
        body: z.object({ keyIds: z.array(id).min(1).max(maxBulkRevoke) }).strict(),
        response: { 200: keyRowListJson },
      },
    },
    async (request) => {
      const revoked = await keys.revokeMany(userActor(request), { ...request.params, ...request.body })
      return { data: await Promise.all(revoked.map((key) => rowOf(request, key.id))) }
    },
  )
}
