import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { WebhookRowData } from '../../../core/read-models/ports.ts'
import { createWebhookInput } from '../../../core/webhooks.ts'
import { id } from './account-routes.ts'
import { type DashboardDeps, userActor } from './deps.ts'
import { webhookAttemptListJson, webhookListJson, webhookWithSecretJson } from './wire.ts'

const webhookParams = z.object({ webhookId: id })

const webhookJson = ({ isActive, ...w }: WebhookRowData) => ({ ...w, active: isActive })

/** The Webhooks page: subscriptions across the account, secrets shown once, recent delivery attempts. */
export function webhookRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const rowOf = async (request: FastifyRequest, webhookId: string) =>
    webhookJson(await deps.queries.webhookRow(userActor(request), { webhookId }))

  typed.get(
    '/accounts/:accountId/webhooks',
    {
      schema: {
        params: z.object({ accountId: id }),
        querystring: z.object({ hideInactive: z.enum(['true', 'false']).default('false') }),
        response: { 200: webhookListJson },
      },
    },
    async (request) => ({
      data: (
        await deps.queries.webhooks(userActor(request), {
          ...request.params,
          hideInactive: request.query.hideInactive === 'true',
        })
      ).map(webhookJson),
    }),
  )

  typed.post(
    '/projects/:projectId/webhooks',
    {
      schema: {
        params: z.object({ projectId: id }),
        body: createWebhookInput,
        response: { 201: webhookWithSecretJson },
      },
    },
    async (request, reply) => {
      const { secret, ...webhook } = await deps.services.webhooks.create(userActor(request), {
        ...request.params,
        ...request.body,
      })
      reply.header('cache-control', 'no-store')
      return reply.code(201).send({ webhook: await rowOf(request, webhook.id), secret })
    },
  )

  typed.post(
    '/webhooks/:webhookId/rotate-secret',
    { schema: { params: webhookParams, response: { 200: webhookWithSecretJson } } },
    async (request, reply) => {
      const { projectId } = await deps.queries.webhookRow(userActor(request), request.params)
      const { secret } = await deps.services.webhooks.rotateSecret(userActor(request), {
        ...request.params,
        projectId,
      })
      reply.header('cache-control', 'no-store')
      return { webhook: await rowOf(request, request.params.webhookId), secret }
    },
  )

  typed.delete('/webhooks/:webhookId', { schema: { params: webhookParams } }, async (request, reply) => {
    const { projectId } = await deps.queries.webhookRow(userActor(request), request.params)
    await deps.services.webhooks.delete(userActor(request), { ...request.params, projectId })
    return reply.code(204).send()
  })

  typed.get(
    '/webhooks/:webhookId/attempts',
    { schema: { params: webhookParams, response: { 200: webhookAttemptListJson } } },
    async (request) => ({
      data: await deps.queries.webhookAttempts(userActor(request), request.params),
    }),
  )
}
