import { randomUUID } from 'node:crypto'
import type { Clock } from './clock.ts'
import type { MailSettings } from './mail.ts'
import type { ApiKey, EventActor, Instant, ManagementAction } from './model.ts'
import type { Storage, Stores } from './ports.ts'
import { roleHas } from './roles.ts'
import { insertWebhookDeliveries } from './webhook-delivery.ts'
import type { WebhookEvent } from './webhook-events.ts'

/**
 * Key lifecycle events (`api_key.*`). The created, rotated, revoked and exposed events are derived from management
 * history: the event store copies those history rows into `key_event_outbox` in the change's own transaction, and
 * `relayKeyEvents` turns each into webhook deliveries and mails, deleting the outbox row in the same transaction.
 * That delete is the claim, so every event is relayed once, on exactly one node. Use-cases only write history.
 */
export const relayedActions = {
  'key.created': 'api_key.created',
  'key.rotated': 'api_key.rotated',
  'key.revoked': 'api_key.revoked',
  'key.exposed': 'api_key.exposed',
} as const satisfies Partial<Record<ManagementAction, WebhookEvent>>

export type KeyLifecycleEvent =
  | (typeof relayedActions)[keyof typeof relayedActions]
  | 'api_key.expiring'
  | 'api_key.expired'

export function isRelayedAction(action: string): action is keyof typeof relayedActions {
  return Object.hasOwn(relayedActions, action)
}

/** The events members with `settings.manage` are emailed about (when SMTP is configured). */
export const mailedEvents: ReadonlySet<KeyLifecycleEvent> = new Set([
  'api_key.expiring',
  'api_key.expired',
  'api_key.rotated',
  'api_key.exposed',
])

/** Who caused the event; `system` for the lifecycle job's expiring and expired notices. */
export type PayloadActor = { type: 'user' | 'key' | 'operator' | 'system'; id: string | null }

export function payloadActor(actor: EventActor | null): PayloadActor {
  if (actor === null) return { type: 'system', id: null }
  if (actor.kind === 'user') return { type: 'user', id: actor.userId }
  if (actor.kind === 'key') return { type: 'key', id: actor.keyId }
  return { type: 'operator', id: null }
}

const iso = (at: Instant | null | undefined) => (typeof at === 'number' ? new Date(at).toISOString() : null)

/** The key as every `api_key.*` payload shows it: never its secret nor its hash (neither is in an `ApiKey`). */
export function keyPayload(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    projectId: key.projectId,
    scopes: key.scopes,
    expiresAt: iso(key.expiresAt),
  }
}

/** The event-specific fields, from the history row's details, each named and typed (nothing else passes). */
function extraFields(event: KeyLifecycleEvent, details: Record<string, unknown>): Record<string, unknown> {
  if (event === 'api_key.rotated') {
    const until = details.previousKeyValidUntil
    return {
      previousKeyValidUntil: typeof until === 'string' ? until : iso(until as Instant | null),
      graceSeconds: typeof details.graceSeconds === 'number' ? details.graceSeconds : null,
    }
  }
  if (event === 'api_key.exposed')
    return {
      url: typeof details.url === 'string' ? details.url : null,
      source: typeof details.source === 'string' ? details.source : null,
    }
  return {}
}

export interface NotifyDeps {
  storage: Storage
  clock: Clock
  /** Set when SMTP is configured: the notices in `mailedEvents` are also emailed. */
  mail?: MailSettings
}

/** One notice sent: what the CLI prints and the job reports. */
export interface SentNotice {
  event: KeyLifecycleEvent
  keyId: string
  keyName: string
  projectId: string
  /** Webhook deliveries queued (one per subscribed webhook of the project). */
  deliveries: number
  /** Emails queued (one per member with `settings.manage`). */
  emails: number
  daysBefore?: number
}

/** Queues the deliveries and mails of one event on `stores` (the caller's transaction). */
export async function queueNotice(
  deps: Pick<NotifyDeps, 'mail'>,
  stores: Stores,
  input: {
    key: ApiKey
    event: KeyLifecycleEvent
    at: Instant
    actor: EventActor | null
    fields?: Record<string, unknown>
  },
): Promise<SentNotice> {
  const { key, event, at } = input
  const data = { key: keyPayload(key), actor: payloadActor(input.actor), ...input.fields }
  const deliveries = await insertWebhookDeliveries(stores, at, { projectId: key.projectId, event, data })
  let emails = 0
  if (deps.mail && mailedEvents.has(event)) {
    const members = await stores.memberships.listWithUsers(key.accountId)
    const project = await stores.projects.findById(key.projectId)
    const { subject, body } = noticeMail(deps.mail, event, key, project?.name ?? key.projectId, data)
    for (const member of members.filter((m) => roleHas(m.role, 'settings.manage'))) {
      await stores.mails.insert({
        id: randomUUID(),
        to: member.email,
        subject,
        body,
        state: 'pending',
        attempts: 0,
        nextAttemptAt: at,
        lastError: null,
        createdAt: at,
        finishedAt: null,
      })
      emails += 1
    }
  }
  const daysBefore = typeof input.fields?.daysBefore === 'number' ? input.fields.daysBefore : undefined
  return {
    event,
    keyId: key.id,
    keyName: key.name,
    projectId: key.projectId,
    deliveries: deliveries.length,
    emails,
    ...(daysBefore === undefined ? {} : { daysBefore }),
  }
}

function noticeMail(
  mail: MailSettings,
  event: KeyLifecycleEvent,
  key: ApiKey,
  projectName: string,
  data: Record<string, unknown>,
): { subject: string; body: string } {
  const days = data.daysBefore as number | undefined
  const what = {
    'api_key.expiring': `expires in ${days} day${days === 1 ? '' : 's'}`,
    'api_key.expired': 'has expired',
    'api_key.rotated': 'was rotated',
    'api_key.exposed': 'was found exposed',
    'api_key.created': 'was created',
    'api_key.revoked': 'was revoked',
  }[event]
  const lines = [
    `The API key "${key.name}" (${key.prefix}…) of project ${projectName} ${what}.`,
    '',
    `Expires: ${iso(key.expiresAt) ?? 'never'}`,
  ]
  if (event === 'api_key.rotated')
    lines.push(`The previous secret stays valid until: ${data.previousKeyValidUntil ?? 'no longer'}`)
  if (event === 'api_key.exposed') lines.push(`Found at: ${data.url ?? 'unknown'}`)
  lines.push('', `Manage your keys: ${mail.dashboardUrl}/a/${key.accountId}/keys`)
  return { subject: `Keyward: API key "${key.name}" ${what}`, body: `${lines.join('\n')}\n` }
}

/** Relays waiting key events (created, rotated, revoked, exposed); each one on exactly one node. */
export async function relayKeyEvents(deps: NotifyDeps, limit = 100): Promise<SentNotice[]> {
  const sent: SentNotice[] = []
  for (;;) {
    const waiting = await deps.storage.notices.nextKeyEvents(limit)
    for (const { seq, event } of waiting) {
      const notice = await deps.storage.transaction(async (stores) => {
        if (!(await stores.notices.takeKeyEvent(seq))) return undefined
        const key = await stores.keys.findById(event.targetId)
        if (!key || !isRelayedAction(event.action)) return undefined
        const lifecycleEvent = relayedActions[event.action]
        return queueNotice(deps, stores, {
          key,
          event: lifecycleEvent,
          at: deps.clock(),
          actor: event.actor,
          fields: { occurredAt: iso(event.at), ...extraFields(lifecycleEvent, event.details) },
        })
      })
      if (notice) sent.push(notice)
    }
    if (waiting.length < limit) return sent
  }
}
