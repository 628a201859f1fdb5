/** The events a webhook can subscribe to. A module of its own (no Node import), so that the dashboard can import it. */
export const webhookEvents = [
  'search-tracking.completed',
  'visibility.changed',
  'action.created',
  'action.updated',
  'action.recommendation.created',
  'action.recommendation.updated',
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  'api_key.exposed',
  'api_key.expiring',
  'api_key.expired',
] as const
export type WebhookEvent = (typeof webhookEvents)[number]
