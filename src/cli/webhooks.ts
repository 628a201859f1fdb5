import { badRequest, KeywardError } from '../core/errors.ts'
import { operator } from '../core/model.ts'
import { createWebhook, listWebhooks, webhookEvents, webhookUrlRefusal } from '../core/webhooks.ts'
import type { Keyward } from '../main.ts'
import { iso, printJson, table } from './output.ts'

/**
 * What to add when a URL is refused only because this process does not allow plain http or local addresses: the
 * CLI reads `KEYWARD_ALLOW_HTTP_WEBHOOKS` from its own environment, which may differ from the server's.
 */
export function allowHttpHint(url: string, allowInsecure: boolean): string {
  if (
    allowInsecure ||
    webhookUrlRefusal(url, true) !== undefined ||
    webhookUrlRefusal(url, false) === undefined
  )
    return ''
  return " (this CLI's environment lacks KEYWARD_ALLOW_HTTP_WEBHOOKS=1, which allows http:// and local addresses)"
}

export async function listWebhooksCommand(keyward: Keyward, o: { project: string; json?: boolean }) {
  const webhooks = await listWebhooks(keyward.webhookDeps, operator, { projectId: o.project })
  if (o.json) return printJson(webhooks)
  if (webhooks.length === 0) return void process.stdout.write('No active webhooks.\n')
  const rows = webhooks.map((w) => [w.id, w.url, w.events.join(','), iso(w.createdAt)])
  process.stdout.write(table(['ID', 'URL', 'EVENTS', 'CREATED'], rows))
}

/** `keyward webhook create`: the signing secret is printed this once, as the API and dashboard show it. */
export async function createWebhookCommand(
  keyward: Keyward,
  o: { project: string; url: string; events: string[]; json?: boolean },
) {
  const unknown = o.events.filter((e) => !(webhookEvents as readonly string[]).includes(e))
  if (o.events.length === 0 || unknown.length > 0) {
    const what = unknown.length > 0 ? `Unknown event ${unknown.join(', ')}` : 'No events given'
    throw badRequest(`${what}: --events takes a comma-separated list of ${webhookEvents.join(', ')}`)
  }
  const allowInsecure = keyward.webhookDeps.allowInsecureUrls
  const created = await createWebhook(keyward.webhookDeps, operator, {
    projectId: o.project,
    url: o.url,
    events: o.events as (typeof webhookEvents)[number][],
  }).catch((error: unknown) => {
    if (error instanceof KeywardError && error.code === 'bad_request')
      throw new KeywardError('bad_request', `${error.message}${allowHttpHint(o.url, allowInsecure)}`)
    throw error
  })
  if (o.json) return printJson(created)
  process.stdout.write(
    `Created webhook ${created.id} for ${created.url} (events ${created.events.join(',')}).\n` +
      `Signing secret (shown once, keep it safe): ${created.secret}\n`,
  )
}
