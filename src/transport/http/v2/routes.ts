import type { WebhookDeps } from '../../../core/webhooks.ts'
import type { KeyedRoute } from './route-table.ts'
import { webhookRoutes } from './webhooks.ts'

/** Every route of the public API. Adding an endpoint means adding an entry here; the pipeline covers it. */
export function publicRoutes(deps: { webhooks: WebhookDeps }): KeyedRoute[] {
  return [...webhookRoutes(deps.webhooks)]
}
