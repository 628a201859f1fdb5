/** The events a webhook can subscribe to. A module of its own (no Node import), so that the dashboard can import it. */
export const webhookEvents = [
  'search-tracking.completed',
  'visibility.changed',
  'action.created',
  'action.updated',
  'action.recommendation.created',
  'action.recommendation.updated',
] as const
export type WebhookEvent = (typeof webhookEvents)[number]
