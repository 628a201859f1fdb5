import type { Services } from '../../core/services.ts'
import { actionRoutes } from './actions.ts'
import type { KeyedRoute } from './capability.ts'
import { citationRoutes } from './citations.ts'
import { insightRoutes } from './insights.ts'
import { keyRoutes } from './key.ts'
import { testRoutes } from './tests.ts'
import { visibilityRoutes } from './visibility.ts'
import { webhookRoutes } from './webhooks.ts'

/** The use-cases the public API calls, bound to their dependencies. */
export type PublicServices = Pick<Services, 'analytics' | 'webhooks' | 'ownKey'>

/** Every route of the public API. Adding an endpoint means adding an entry here; the pipeline covers it. */
export function publicRoutes(services: PublicServices): KeyedRoute[] {
  return [
    ...keyRoutes((key) => services.ownKey(key)),
    ...visibilityRoutes(services.analytics),
    ...citationRoutes(services.analytics),
    ...insightRoutes(services.analytics),
    ...testRoutes(services.analytics),
    ...actionRoutes(services.analytics),
    ...webhookRoutes(services.webhooks),
  ]
}
