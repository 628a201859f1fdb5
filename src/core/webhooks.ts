import { randomBytes, randomUUID } from 'node:crypto'
import { isIP } from 'node:net'
import { z } from 'zod'
import { requireProjectAccess } from './access.ts'
import type { Clock } from './clock.ts'
import { badRequest, notFound } from './errors.ts'
import { managementEvent } from './events.ts'
import type { Actor, Instant } from './model.ts'
import type { Storage, Stores } from './ports.ts'

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
  /** `KEYWARD_ALLOW_HTTP_WEBHOOKS=1`: plain http and loopback/private hosts, for local receivers and tests. */
  allowInsecureUrls: boolean
}

/** A 32-byte HMAC signing secret, hex; returned to the caller only at creation and rotation. */
const newSecret = () => randomBytes(32).toString('hex')

export function checkWebhookUrl(raw: string, allowInsecure: boolean): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw badRequest('Invalid request body: url must be an absolute URL')
  }
  if (url.protocol !== 'https:' && !(allowInsecure && url.protocol === 'http:')) {
    throw badRequest('Invalid request body: url must use https')
  }
  if (url.username || url.password) throw badRequest('Invalid request body: url must not contain credentials')
  if (!allowInsecure && isPrivateHost(url.hostname)) {
    throw badRequest('Invalid request body: url must point to a public host')
  }
  return url.toString()
}

/**
 * Loopback, private, link-local and shared (CGNAT) addresses, and `localhost`. Names are not resolved here: the
 * sender checks every address a name resolves to when it connects.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  const mapped = host.startsWith('::ffff:') ? host.slice(7) : host // an IPv4 address written as IPv6
  if (isIP(mapped) === 4)
    return /^(127\.|10\.|192\.168\.|169\.254\.|0\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/.test(
      mapped,
    )
  if (isIP(host) === 6) return host === '::1' || host === '::' || /^(fc|fd|fe[89ab])/.test(host)
  return false
}

export async function listWebhooks(
  deps: WebhookDeps,
  actor: Actor,
  input: { projectId: string },
): Promise<Webhook[]> {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'webhooks.read', write: false })
  return deps.storage.webhooks.listActive(input.projectId)
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
  return deps.storage.transaction(async (stores) => {
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
