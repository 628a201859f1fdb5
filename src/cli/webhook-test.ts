import { enqueueWebhookTest } from '../core/webhook-delivery.ts'
import type { Keyward } from '../main.ts'
import { iso, printJson } from './output.ts'
import { allowHttpHint } from './webhooks.ts'

/**
 * `keyward webhook test ID`: queues a signed `webhook.test` delivery and attempts it once from this process, so
 * the operator sees the receiver's answer at once. A failed attempt stays queued and a running server retries it;
 * the command then exits with 1, so scripts can tell.
 */
export async function testWebhook(keyward: Keyward, options: { json?: boolean }, webhookId: string) {
  const queued = await enqueueWebhookTest(keyward.storage, keyward.clock, {
    webhookId,
    message: 'Test delivery from keyward webhook test',
  })
  const outcome = await keyward.webhookDispatcher.deliverIfDue(queued.id)
  const delivery = outcome?.delivery ?? queued
  const attempt = outcome?.attempt ?? null
  const failed = attempt !== null && delivery.state !== 'delivered'
  const webhook = failed ? await keyward.storage.webhooks.findById(delivery.webhookId) : undefined
  const hint = webhook ? allowHttpHint(webhook.url, keyward.webhookDeps.allowInsecureUrls) : ''
  if (options.json) {
    printJson({
      deliveryId: delivery.id,
      webhookId: delivery.webhookId,
      event: delivery.event,
      state: delivery.state,
      attempt: attempt?.attempt ?? null,
      statusCode: attempt?.statusCode ?? null,
      error: attempt?.error ? `${attempt.error}${hint}` : (attempt?.error ?? null),
      durationMs: attempt ? Math.round(attempt.durationMs) : null,
      nextAttemptAt: delivery.nextAttemptAt === null ? null : iso(delivery.nextAttemptAt),
    })
  } else {
    const result = !attempt
      ? 'queued; a running Keyward server is sending it'
      : attempt.statusCode !== null
        ? `HTTP ${attempt.statusCode}`
        : `error: ${attempt.error}${hint}`
    const next =
      delivery.state === 'pending' && attempt ? `, next attempt at ${iso(delivery.nextAttemptAt)}` : ''
    process.stdout.write(`Test delivery ${delivery.id}: ${result} (${delivery.state}${next})\n`)
  }
  if (failed) process.exitCode = 1
}
