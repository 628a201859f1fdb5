import { randomBytes, randomUUID } from 'node:crypto'
import { z } from 'zod'
import { requireProjectAccess } from './access.ts'
import type { Clock } from './clock.ts'
import { badRequest, notFound } from './errors.ts'
import { managementEvent } from './events.ts'
import type { Actor, Instant } from './model.ts'
import type { Storage, Stores } from './ports.ts'
import { judgeHost } from './public-address.ts'
import type { WebhookListCache } from './webhook-list-cache.ts'

export const webhookEvents = [
  'search-tracking.completed',
  'visibility.changed',
  'action.created',
  'action.updated',
  'action.recommendation.created',
  'action.recommendation.updated',
] as const
export type WebhookEvent = (typeof webhookEvents)[number]

export interface Webhook {
  id: string
  projectId: string
  url: string
  events: WebhookEvent[]
  isActive: boolean
  createdAt: Instant
  updatedAt: Instant
}

/** The input of "create a webhook", shared by REST, MCP and the dashboard. */
export const createWebhookInput = z
  .object({
    url: z
      .string()
      .max(2048)
      .describe('HTTPS endpoint that receives POST deliveries (at most 2,048 characters)'),
    events: z.array(z.enum(webhookEvents)).min(1).describe('Events to deliver; at least one'),
  })
  .strict()
export type CreateWebhookInput = z.infer<typeof createWebhookInput>

export interface WebhookDeps {
  storage: Storage
  clock: Clock
  /** `KEYWARD_ALLOW_HTTP_WEBHOOKS=1`: plain http and any address, for loopback receivers in development and tests. */
  allowInsecureUrls: boolean
  /** Each project's active webhooks kept in memory; without it every list reads the database. */
  webhookLists?: WebhookListCache
}

/** A 32-byte HMAC signing secret, hex; returned to the caller only at creation and rotation. */
const newSecret = () => randomBytes(32).toString('hex')

/** Why a webhook URL is refused, in words safe to return to the caller; undefined if it is allowed. */
export function webhookUrlRefusal(raw: string, allowInsecure: boolean): string | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'url must be an absolute URL'
  }
  if (url.protocol !== 'https:' && !(allowInsecure && url.protocol === 'http:')) return 'url must use https'
  if (url.username || url.password) return 'url must not contain credentials'
  // A name passes here; each address it resolves to is judged when the sender connects.
  if (!allowInsecure && !judgeHost(url.hostname).allowed) return 'url must point to a public host'
  return undefined
}

/** The URL as stored (WHATWG-normalised), or a 400 that says what is wrong with it. */
export function checkWebhookUrl(raw: string, allowInsecure: boolean): string {
  const refusal = webhookUrlRefusal(raw, allowInsecure)
  if (refusal) throw badRequest(`Invalid request body: ${refusal}`)
  return new URL(raw).toString()
}

export async function listWebhooks(
  deps: WebhookDeps,
  actor: Actor,
  input: { projectId: string },
): Promise<readonly Webhook[]> {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'webhooks.read', write: false })
  return (deps.webhookLists ?? deps.storage.webhooks).listActive(input.projectId)
}

export async function createWebhook(
  deps: WebhookDeps,
  actor: Actor,
  input: { projectId: string } & CreateWebhookInput,
): Promise<Webhook & { secret: string }> {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'webhooks.write', write: true })
  const url = checkWebhookUrl(input.url, deps.allowInsecureUrls)
  const now = deps.clock()
  const events = webhookEvents.filter((e) => input.events.includes(e))
  const webhook: Webhook = {
    id: randomUUID(),
    projectId: input.projectId,
    url,
    events,
    isActive: true,
    createdAt: now,
    updatedAt: now,
  }
  const secret = newSecret()
  await deps.storage.transaction(async (stores) => {
    const project = await stores.projects.findById(input.projectId)
    if (!project) throw notFound('Project')
    await stores.webhooks.insert(webhook, secret)
    await stores.events.append(
      managementEvent(actor, now, {
        accountId: project.accountId,
        action: 'webhook.created',
        targetType: 'webhook',
        targetId: webhook.id,
        details: { url, events },
      }),
    )
  })
  deps.webhookLists?.invalidate(input.projectId) // after the commit: a list read before it must not stay cached
  return { ...webhook, secret }
}

/**
 * One change to an active webhook of the project, with its audit event, in one transaction. A webhook of another
 * project, or a deleted one, is not found.
 */
async function changeWebhook<T>(
  deps: WebhookDeps,
  actor: Actor,
  input: { projectId: string; webhookId: string },
  action: 'webhook.deleted' | 'webhook.secret_rotated',
  change: (stores: Stores, webhook: Webhook, at: number) => Promise<T>,
): Promise<T> {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'webhooks.write', write: true })
  const at = deps.clock()
  const result = await deps.storage.transaction(async (stores) => {
    const webhook = await stores.webhooks.findById(input.webhookId)
    if (!webhook || webhook.projectId !== input.projectId || !webhook.isActive) throw notFound('Webhook')
    const project = await stores.projects.findById(webhook.projectId)
    const result = await change(stores, webhook, at)
    await stores.events.append(
      managementEvent(actor, at, {
        accountId: project?.accountId ?? '',
        action,
        targetType: 'webhook',
        targetId: webhook.id,
      }),
    )
    return result
  })
  deps.webhookLists?.invalidate(input.projectId) // after the commit: a list read before it must not stay cached
  return result
}

/** Soft delete: the subscription is deactivated, stops receiving deliveries (pending ones are cancelled), and stays
 * in the history. */
export function deleteWebhook(
  deps: WebhookDeps,
  actor: Actor,
  input: { projectId: string; webhookId: string },
) {
  return changeWebhook(deps, actor, input, 'webhook.deleted', async (stores, webhook, at) => {
    await stores.webhooks.deactivate(webhook.id, at)
    await stores.deliveries.cancelPending(webhook.id, at)
    return { deleted: true }
  })
}

/** A new secret, returned once; the old one stops signing as soon as this commits. */
export function rotateWebhookSecret(
  deps: WebhookDeps,
  actor: Actor,
  input: { projectId: string; webhookId: string },
) {
  const secret = newSecret()
  return changeWebhook(deps, actor, input, 'webhook.secret_rotated', async (stores, webhook, at) => {
    await stores.webhooks.replaceSecret(webhook.id, secret, at)
    return { ...webhook, updatedAt: at, secret }
  })
}
