import { createHmac, randomUUID } from 'node:crypto'
import type { Clock } from './clock.ts'
import { notFound } from './errors.ts'
import type { Instant } from './model.ts'
import type { Storage, Stores } from './ports.ts'
import type { OutboundFailure } from './public-address.ts'
import type { WebhookEvent } from './webhooks.ts'

/** Sent only by `keyward webhook test`, to any active webhook whatever it subscribes to. */
export const webhookTestEvent = 'webhook.test'
export type DeliveryEvent = WebhookEvent | typeof webhookTestEvent

/** `pending` until a 2xx (`delivered`), the last failed attempt (`failed`) or a deleted webhook (`cancelled`). */
export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'cancelled'

export interface WebhookDelivery {
  id: string
  webhookId: string
  event: DeliveryEvent
  /** The exact JSON text that is signed and sent on every attempt. */
  body: string
  state: DeliveryState
  /** Attempts made so far. */
  attempts: number
  /** When the next attempt is due; while one is in flight, the end of its lease. Null once finished. */
  nextAttemptAt: Instant | null
  createdAt: Instant
  finishedAt: Instant | null
}

export interface WebhookAttempt {
  id: string
  deliveryId: string
  /** 1 for the first attempt. */
  attempt: number
  at: Instant
  /** Null when no HTTP response came back (refused, timed out, URL not allowed). */
  statusCode: number | null
  durationMs: number
  /** One of `outboundFailures` (members see it), never the network's own words, which are logged instead. */
  error: string | null
}

/** How a sender rejects: the generic failure that is stored and shown, and the detail for the server log. */
export class SendFailure extends Error {
  constructor(
    readonly failure: OutboundFailure,
    detail: string,
  ) {
    super(detail)
    this.name = 'SendFailure'
  }
}

/** The one piece of network I/O delivery needs; the transport layer implements it (the core never fetches). */
export interface WebhookSender {
  /**
   * Resolves with any HTTP status, 3xx included (redirects are not followed); rejects with a `SendFailure` when none
   * came back.
   */
  send(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
  ): Promise<{ status: number }>
}

export const webhookUserAgent = 'DevTune-Webhook/2.0'

/** HMAC-SHA256 hex of the raw body: what receivers recompute to check `X-DevTune-Signature`. */
export function signWebhookBody(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

export function webhookHeaders(event: string, signature: string): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'User-Agent': webhookUserAgent,
    'X-DevTune-Event': event,
    'X-DevTune-Signature': signature,
  }
}

/**
 * The envelope's `id` is the delivery id: it stays the same across retries, so a receiver can drop duplicates
 * (delivery is at least once).
 */
function newDelivery(
  webhookId: string,
  at: Instant,
  fields: { projectId: string; event: DeliveryEvent; data: Record<string, unknown> },
): WebhookDelivery {
  const id = randomUUID()
  const body = JSON.stringify({
    id,
    event: fields.event,
    createdAt: new Date(at).toISOString(),
    projectId: fields.projectId,
    data: fields.data,
  })
  return {
    id,
    webhookId,
    event: fields.event,
    body,
    state: 'pending',
    attempts: 0,
    nextAttemptAt: at,
    createdAt: at,
    finishedAt: null,
  }
}

/**
 * Queues one delivery per active webhook of the project that subscribes to the event. Only the queue is written
 * here; the dispatcher sends, so the caller never waits on a receiver.
 */
export async function enqueueWebhookEvent(
  storage: Storage,
  clock: Clock,
  input: { projectId: string; event: WebhookEvent; data: Record<string, unknown> },
): Promise<WebhookDelivery[]> {
  const subscribers = (await storage.webhooks.listActive(input.projectId)).filter((w) =>
    w.events.includes(input.event),
  )
  if (subscribers.length === 0) return []
  const now = clock()
  const deliveries = subscribers.map((w) => newDelivery(w.id, now, input))
  await storage.transaction(async (stores) => {
    for (const delivery of deliveries) await stores.deliveries.insert(delivery)
  })
  return deliveries
}

/**
 * Queues the event for the project's subscribers on `stores`, the caller's transaction: the deliveries commit or roll
 * back with whatever decided to send them (the key notifications' outbox and notice rows).
 */
export async function insertWebhookDeliveries(
  stores: Stores,
  at: Instant,
  input: { projectId: string; event: WebhookEvent; data: Record<string, unknown> },
): Promise<WebhookDelivery[]> {
  const subscribers = (await stores.webhooks.listActive(input.projectId)).filter((w) =>
    w.events.includes(input.event),
  )
  const deliveries = subscribers.map((w) => newDelivery(w.id, at, input))
  for (const delivery of deliveries) await stores.deliveries.insert(delivery)
  return deliveries
}

/** Queues a `webhook.test` delivery for one active webhook, subscribed to it or not. */
export async function enqueueWebhookTest(
  storage: Storage,
  clock: Clock,
  input: { webhookId: string; message: string },
): Promise<WebhookDelivery> {
  const webhook = await storage.webhooks.findById(input.webhookId)
  if (!webhook?.isActive) throw notFound('Webhook')
  const delivery = newDelivery(webhook.id, clock(), {
    projectId: webhook.projectId,
    event: webhookTestEvent,
    data: { message: input.message },
  })
  await storage.deliveries.insert(delivery)
  return delivery
}
