import { z } from 'zod'
import type { Services } from '../../core/services.ts'
import { createWebhookInput, type Webhook, webhookEvents } from '../../core/webhooks.ts'
import { keyedRoute } from './capability.ts'

const webhookSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.enum(webhookEvents)),
  isActive: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
const withSecret = webhookSchema.extend({
  secret: z.string().describe('HMAC-SHA256 signing secret (hex); shown only in this response'),
})
const webhookIdParams = z.object({ webhookId: z.uuid() })

const presentNow = (w: Webhook) => ({
  id: w.id,
  url: w.url,
  events: w.events,
  isActive: w.isActive,
  createdAt: new Date(w.createdAt).toISOString(),
  updatedAt: new Date(w.updatedAt).toISOString(),
})

/** A project's list is cached (see WebhookListCache), its webhooks as the same objects: so are their answers. */
const presented = new WeakMap<Webhook, ReturnType<typeof presentNow>>()
const present = (w: Webhook) => {
  let answer = presented.get(w)
  if (!answer) {
    answer = presentNow(w)
    presented.set(w, answer)
  }
  return answer
}

export function webhookRoutes(webhooks: Services['webhooks']) {
  return [
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/webhooks',
      operationId: 'listWebhooks',
      summary: 'List active webhook subscriptions',
      tool: {
        name: 'devtune_list_webhooks',
        description:
          "Lists the project's active webhook subscriptions: id, HTTPS URL, subscribed events, and creation and update " +
          'times (ISO-8601). Secrets are never included.',
      },
      scope: 'webhooks.read',
      response: z.object({ webhooks: z.array(webhookSchema) }),
      handle: async ({ actor, projectId }) => ({
        webhooks: (await webhooks.list(actor, { projectId })).map(present),
      }),
    }),
    keyedRoute({
      method: 'POST',
      path: '/projects/:projectId/webhooks',
      operationId: 'createWebhook',
      summary: 'Create a webhook subscription; the signing secret is returned once',
      tool: {
        name: 'devtune_create_webhook',
        description:
          'Subscribes an HTTPS URL (at most 2,048 characters) to one or more events: search-tracking.completed, ' +
          'visibility.changed, action.created, action.updated, action.recommendation.created, ' +
          'action.recommendation.updated. Returns the subscription and its HMAC-SHA256 signing secret, shown only once.',
      },
      scope: 'webhooks.write',
      body: createWebhookInput,
      status: 201,
      response: withSecret,
      handle: async ({ actor, projectId, body }) => {
        const created = await webhooks.create(actor, { projectId, ...body })
        return { ...present(created), secret: created.secret }
      },
    }),
    keyedRoute({
      method: 'DELETE',
      path: '/projects/:projectId/webhooks/:webhookId',
      operationId: 'deleteWebhook',
      summary: 'Deactivate a webhook subscription',
      tool: {
        name: 'devtune_delete_webhook',
        description:
          'Deactivates a webhook subscription by id; it receives no further deliveries. Returns {deleted: true}.',
      },
      scope: 'webhooks.write',
      params: webhookIdParams,
      envelope: false,
      response: z.object({ deleted: z.boolean() }),
      handle: ({ actor, projectId, params }) => webhooks.delete(actor, { projectId, ...params }),
    }),
    keyedRoute({
      method: 'POST',
      path: '/projects/:projectId/webhooks/:webhookId/rotate-secret',
      operationId: 'rotateWebhookSecret',
      summary: 'Rotate the signing secret; the old one stops signing at once',
      tool: {
        name: 'devtune_rotate_webhook_secret',
        description:
          'Replaces the signing secret of a webhook subscription. The new secret is returned once; deliveries are ' +
          'signed with it from now on and the old secret stops working immediately.',
      },
      scope: 'webhooks.write',
      params: webhookIdParams,
      response: withSecret,
      handle: async ({ actor, projectId, params }) => {
        const rotated = await webhooks.rotateSecret(actor, { projectId, ...params })
        return { ...present(rotated), secret: rotated.secret }
      },
    }),
  ]
}
