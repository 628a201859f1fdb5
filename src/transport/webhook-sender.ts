import { SendFailure, type WebhookSender } from '../core/webhook-delivery.ts'
import { createGuardedFetch, describeOutboundFailure, type GuardOptions } from './guarded-agent.ts'

export type { Resolver } from './guarded-agent.ts'

/**
 * Sends webhook POSTs through the guarded agent: unless private hosts are allowed (`KEYWARD_ALLOW_HTTP_WEBHOOKS=1`),
 * only globally routable unicast addresses are connected to, judged as each connection is made. Redirects are not
 * followed: a receiver cannot bounce a signed delivery to another host, and a 3xx counts as a failed attempt.
 */
export function createWebhookSender(options: GuardOptions): WebhookSender {
  const post = createGuardedFetch(options)
  return {
    async send(url, headers, body, timeoutMs) {
      let response: Awaited<ReturnType<typeof post>>
      try {
        response = await post(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) })
      } catch (error) {
        const { failure, detail } = describeOutboundFailure(error)
        const limit = failure === 'timed out' ? ` (limit ${timeoutMs} ms)` : ''
        const host = URL.canParse(url) ? new URL(url).host : 'an invalid URL'
        throw new SendFailure(failure, `${host}: ${detail}${limit}`)
      }
      // The body is of no interest; dropping it frees the connection for reuse.
      await response.body?.cancel().catch(() => {})
      return { status: response.status }
    },
  }
}
