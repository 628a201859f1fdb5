import { requireMember } from '../access.ts'
import { notFound } from '../errors.ts'
import type { Actor } from '../model.ts'
import type { ReadModelDeps } from './deps.ts'
import type { WebhookAttemptData, WebhookRowData } from './ports.ts'

export async function listAccountWebhooks(
  deps: ReadModelDeps,
  actor: Actor,
  input: { accountId: string; hideInactive: boolean },
): Promise<WebhookRowData[]> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  return deps.views.webhooks.listByAccount(input.accountId, { hideInactive: input.hideInactive })
}

/** The latest delivery attempts of one webhook, for any member of its account. */
export async function webhookAttempts(
  deps: ReadModelDeps,
  actor: Actor,
  input: { webhookId: string },
): Promise<WebhookAttemptData[]> {
  const webhook = await deps.storage.webhooks.findById(input.webhookId)
  const project = webhook && (await deps.storage.projects.findById(webhook.projectId))
  if (!project) throw notFound('Webhook')
  await requireMember(deps.storage.memberships, actor, project.accountId, 'Webhook')
  return deps.views.webhooks.attempts(input.webhookId, 50)
}

/** One webhook as the Webhooks table shows it. */
export async function webhookRow(
  deps: ReadModelDeps,
  actor: Actor,
  input: { webhookId: string },
): Promise<WebhookRowData> {
  const row = await deps.views.webhooks.findRow(input.webhookId)
  if (!row) throw notFound('Webhook')
  const { accountId, ...webhook } = row
  await requireMember(deps.storage.memberships, actor, accountId, 'Webhook')
  return webhook
}
