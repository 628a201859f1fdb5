import type { RateLimiter } from '../../../core/rate-limit.ts'
import type { WebhookDeps } from '../../../core/webhooks.ts'
import { actionRoutes } from './actions.ts'
import { citationRoutes } from './citations.ts'
import { insightRoutes } from './insights.ts'
import { keyRoutes } from './key.ts'
import type { KeyedRoute } from './route-table.ts'
import { testRoutes } from './tests.ts'
import { visibilityRoutes } from './visibility.ts'
import { webhookRoutes } from './webhooks.ts'

/** Every route of the public API. Adding an endpoint means adding an entry here; the pipeline covers it. */
export function publicRoutes(deps: {
  webhooks: WebhookDeps
  rateLimiter: Pick<RateLimiter, 'peek'>
}): KeyedRoute[] {
  // The analytics use-cases need only the storage and the clock, which the webhook dependencies already carry.
  const analytics = { storage: deps.webhooks.storage, clock: deps.webhooks.clock }
  return [
    ...keyRoutes({ storage: deps.webhooks.storage, rateLimiter: deps.rateLimiter }),
    ...visibilityRoutes(analytics),
    ...citationRoutes(analytics),
    ...insightRoutes(analytics),
    ...testRoutes(analytics),
    ...actionRoutes(analytics),
    ...webhookRoutes(deps.webhooks),
  ]
}
