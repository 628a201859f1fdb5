import { runLifecycleOnce } from '../core/key-lifecycle.ts'
import type { Keyward } from '../main.ts'
import { printJson } from './output.ts'

/**
 * `keyward lifecycle run`: relays the waiting key events and sends the expiry notices due now, then attempts the
 * webhook deliveries and mails that are due, so that a host without a running server (cron) sends them too. Safe
 * beside running servers: each notice is claimed by its own row, and each delivery and mail by its claim.
 */
export async function runLifecycleCommand(keyward: Keyward, options: { json?: boolean }) {
  const notices = await runLifecycleOnce(keyward.notify)
  const deliveries = await keyward.webhookDispatcher.runDue()
  const mails = (await keyward.mailDispatcher?.runDue()) ?? []
  const summary = {
    notices,
    webhookDeliveries: {
      attempted: deliveries.filter((d) => d.attempt !== null).length,
      delivered: deliveries.filter((d) => d.delivery.state === 'delivered').length,
    },
    emails: {
      enabled: keyward.mailDispatcher !== undefined,
      sent: mails.filter((m) => m.sent).length,
      failed: mails.filter((m) => !m.sent).length,
    },
  }
  if (options.json) return printJson(summary)
  for (const n of notices) {
    const days = n.daysBefore === undefined ? '' : ` (${n.daysBefore} days before)`
    process.stdout.write(
      `${n.event}${days}: key ${n.keyName} (${n.keyId}), ${n.deliveries} webhook deliveries, ${n.emails} emails\n`,
    )
  }
  const { webhookDeliveries: w, emails: e } = summary
  process.stdout.write(
    `${notices.length} notices; webhooks ${w.delivered} of ${w.attempted} delivered; ` +
      (e.enabled ? `emails ${e.sent} sent, ${e.failed} to retry\n` : 'email is off (no SMTP_URL)\n'),
  )
}
