import type { WebhookSender } from '../core/webhook-delivery.ts'

/**
 * Sends webhook POSTs with the global fetch. Redirects are not followed: a receiver cannot bounce a signed delivery
 * to another host (an internal one, say), and a 3xx counts as a failed attempt.
 */
export const fetchWebhookSender: WebhookSender = {
  async send(url, headers, body, timeoutMs) {
    let response: Response
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      throw new Error(describeFailure(error, timeoutMs))
    }
    // The body is of no interest; dropping it frees the connection for reuse.
    await response.body?.cancel().catch(() => {})
    return { status: response.status }
  },
}

/** fetch says only "fetch failed"; the reason (refused, reset, DNS) is in its cause. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`
  }
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message
  return error instanceof Error ? error.message : String(error)
}
