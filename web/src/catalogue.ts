import type { ExpirationChoice, Plan, Role, StatusClass } from './api.ts'

/** The 11 scopes, grouped by area as the Create API Key and Edit scopes dialogs show them. */
export const scopeGroups: readonly { area: string; scopes: readonly string[] }[] = [
  { area: 'Visibility & citations', scopes: ['visibility.read', 'citations.read', 'competitive.read'] },
  { area: 'Growth', scopes: ['adoption.read', 'traffic.read'] },
  { area: 'Tests & actions', scopes: ['tests.read', 'actions.read', 'actions.write'] },
  { area: 'Intelligence', scopes: ['intelligence.read'] },
  { area: 'Webhooks', scopes: ['webhooks.read', 'webhooks.write'] },
]

export const allScopes: readonly string[] = scopeGroups.flatMap((group) => group.scopes)

/** `null` (full access) when every scope is chosen, else the chosen ones in catalogue order. */
export function scopesForRequest(chosen: ReadonlySet<string>): string[] | null {
  if (allScopes.every((scope) => chosen.has(scope))) return null
  return allScopes.filter((scope) => chosen.has(scope))
}

export const webhookEvents: readonly string[] = [
  'search-tracking.completed',
  'visibility.changed',
  'action.created',
  'action.updated',
  'action.recommendation.created',
  'action.recommendation.updated',
]

export const expirationChoices: readonly { value: ExpirationChoice; label: string }[] = [
  { value: 'never', label: 'No expiration' },
  { value: '30d', label: '30 days' },
  { value: '60d', label: '60 days' },
  { value: '90d', label: '90 days' },
  { value: '180d', label: '180 days' },
  { value: '1y', label: '1 year' },
]

export const roleLabels: Record<Role, string> = { owner: 'Owner', member: 'Member', viewer: 'Viewer' }

export const planLabels: Record<Plan, string> = {
  free: 'Free',
  plus: 'Plus',
  pro: 'Pro',
  enterprise: 'Enterprise',
}

export const statusClassChoices: readonly { value: StatusClass | ''; label: string }[] = [
  { value: '', label: 'All' },
  { value: '2xx', label: '2xx' },
  { value: '4xx', label: '4xx' },
  { value: '429', label: '429' },
  { value: '5xx', label: '5xx' },
]

const hour = 3_600_000

export const timeRanges: readonly { value: string; label: string; ms: number }[] = [
  { value: '1h', label: 'Last hour', ms: hour },
  { value: '24h', label: 'Last 24 hours', ms: 24 * hour },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * hour },
  { value: '30d', label: 'Last 30 days', ms: 30 * 24 * hour },
]

const actionLabels: Record<string, string> = {
  'account.created': 'Account created',
  'project.created': 'Project created',
  'project.renamed': 'Project renamed',
  'key.created': 'Key created',
  'key.scopes_changed': 'Scopes changed',
  'key.revoked': 'Key revoked',
  'member.added': 'Member added',
  'member.role_changed': 'Member role changed',
  'member.removed': 'Member removed',
  'invitation.created': 'Invitation created',
  'invitation.revoked': 'Invitation revoked',
  'webhook.created': 'Webhook created',
  'webhook.deleted': 'Webhook deleted',
  'webhook.secret_rotated': 'Webhook secret rotated',
}

/** "Key created" for `key.created`; an unknown action is spelled out from its name. */
export function actionLabel(action: string): string {
  const known = actionLabels[action]
  if (known) return known
  const words = action.replace(/[._]/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export const historyActions: readonly string[] = Object.keys(actionLabels)

export const targetTypeChoices: readonly { value: string; label: string }[] = [
  { value: '', label: 'Anything' },
  { value: 'key', label: 'Keys' },
  { value: 'project', label: 'Projects' },
  { value: 'member', label: 'Members' },
  { value: 'invitation', label: 'Invitations' },
  { value: 'webhook', label: 'Webhooks' },
  { value: 'account', label: 'The account' },
]
