import type { HistoryFilters, KeyListParams } from './api.ts'

/**
 * Every account-scoped query key starts with `['account', accountId]`, so that a mutation can refresh all of an
 * account's views at once with `invalidateQueries({ queryKey: queryKeys.account(id) })`.
 */
export const queryKeys = {
  me: ['me'] as const,
  scopeGuide: ['scope-guide'] as const,
  invitation: (token: string) => ['invitation', token] as const,
  publicInvitation: (token: string) => ['invitation', token, 'public'] as const,
  teamSettings: (accountId: string) => ['account', accountId, 'settings'] as const,
  account: (accountId: string) => ['account', accountId] as const,
  overview: (accountId: string) => ['account', accountId, 'overview'] as const,
  projects: (accountId: string) => ['account', accountId, 'projects'] as const,
  members: (accountId: string) => ['account', accountId, 'members'] as const,
  invitations: (accountId: string) => ['account', accountId, 'invitations'] as const,
  history: (accountId: string, filters: HistoryFilters = {}) =>
    ['account', accountId, 'history', filters] as const,
  oauthInteraction: (uid: string) => ['oauth-interaction', uid] as const,
  connectedApps: (accountId: string) => ['account', accountId, 'connected-apps'] as const,
  keys: (accountId: string) => ['account', accountId, 'keys'] as const,
  keyPolicy: (accountId: string) => ['account', accountId, 'key-policy'] as const,
  keyPolicyPreview: (accountId: string, maxLifetimeDays: number | null) =>
    ['account', accountId, 'key-policy', 'preview', maxLifetimeDays] as const,
  keyNotices: (accountId: string) => ['account', accountId, 'keys', 'notices'] as const,
  keyPages: (accountId: string) => ['account', accountId, 'keys', 'page'] as const,
  keyPage: (accountId: string, params: KeyListParams) =>
    ['account', accountId, 'keys', 'page', params] as const,
  key: (accountId: string, keyId: string) => ['account', accountId, 'keys', 'detail', keyId] as const,
  keyUsageDetails: (accountId: string, keyId: string) =>
    ['account', accountId, 'keys', 'usage', keyId] as const,
  webhooks: (accountId: string, hideInactive: boolean) =>
    ['account', accountId, 'webhooks', { hideInactive }] as const,
  webhookAttempts: (accountId: string, webhookId: string) =>
    ['account', accountId, 'webhook-attempts', webhookId] as const,
  /** `filters` as the URL holds them: a time range like `24h` is resolved to instants only when fetching. */
  activity: (accountId: string, filters: object) =>
    ['account', accountId, 'activity', 'rows', filters] as const,
  activitySeries: (accountId: string, filters: object) =>
    ['account', accountId, 'activity', 'series', filters] as const,
  activityDetail: (accountId: string, activityId: string) =>
    ['account', accountId, 'activity', 'detail', activityId] as const,
  keyUsage: (accountId: string) => ['account', accountId, 'activity', 'keys'] as const,
}
