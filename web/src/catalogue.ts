import { expirationChoices as coreExpirations } from '../../src/core/expiration.ts'
import { gracePresets as coreGracePresets } from '../../src/core/grace.ts'
import { type Scope, scopeCatalogue } from '../../src/core/scopes.ts'
import { webhookEvents as coreWebhookEvents } from '../../src/core/webhook-events.ts'
import type { ExpirationChoice, GracePreset, Plan, Role, StatusClass } from './api.ts'

/*
 * The catalogues come from the core itself (these modules import nothing from Node), so a scope, event or
 * expiration added there shows here; labels are keyed by the core's types, so one without a label fails to compile.
 */

/** The scopes grouped by area, as the Create API Key and Edit scopes dialogs show them. */
const areas: readonly { area: string; scopes: readonly Scope[] }[] = [
  { area: 'Visibility & citations', scopes: ['visibility.read', 'citations.read', 'competitive.read'] },
  { area: 'Growth', scopes: ['adoption.read', 'traffic.read'] },
  { area: 'Tests & actions', scopes: ['tests.read', 'actions.read', 'actions.write'] },
  { area: 'Intelligence', scopes: ['intelligence.read'] },
  { area: 'Webhooks', scopes: ['webhooks.read', 'webhooks.write'] },
]
const grouped = new Set<string>(areas.flatMap((group) => group.scopes))
const ungrouped = scopeCatalogue.filter((scope) => !grouped.has(scope))

/** Every scope of the core is offered: one not yet given an area shows under "Other". */
export const scopeGroups: readonly { area: string; scopes: readonly string[] }[] =
  ungrouped.length > 0 ? [...areas, { area: 'Other', scopes: ungrouped }] : areas

export const allScopes: readonly string[] = scopeCatalogue

export type ScopePreset = 'full' | 'read-only' | 'custom'

/** Every `.read` scope: what a dashboard, a report or a monitoring agent needs. */
export const readOnlyScopes: readonly string[] = allScopes.filter((scope) => scope.endsWith('.read'))

/** The scopes a preset selects (`custom` keeps what is chosen). */
export function scopesOfPreset(preset: Exclude<ScopePreset, 'custom'>): Set<string> {
  return new Set(preset === 'full' ? allScopes : readOnlyScopes)
}

/** Which preset a choice of scopes amounts to. */
export function presetOf(chosen: ReadonlySet<string>): ScopePreset {
  const same = (list: readonly string[]) => list.length === chosen.size && list.every((s) => chosen.has(s))
  return same(allScopes) ? 'full' : same(readOnlyScopes) ? 'read-only' : 'custom'
}

/** `null` (full access) when every scope is chosen, else the chosen ones in catalogue order. */
export function scopesForRequest(chosen: ReadonlySet<string>): string[] | null {
  if (allScopes.every((scope) => chosen.has(scope))) return null
  return allScopes.filter((scope) => chosen.has(scope))
}

export const webhookEvents: readonly string[] = coreWebhookEvents

const expirationLabels: Record<ExpirationChoice, string> = {
  never: 'No expiration',
  '30d': '30 days',
  '60d': '60 days',
  '90d': '90 days',
  '180d': '180 days',
  '1y': '1 year',
}

/** In the core's order. */
export const expirationChoices: readonly { value: ExpirationChoice; label: string }[] = (
  Object.keys(coreExpirations) as ExpirationChoice[]
).map((value) => ({ value, label: expirationLabels[value] }))

export const roleLabels: Record<Role, string> = { owner: 'Owner', member: 'Member', viewer: 'Viewer' }

export const planLabels: Record<Plan, string> = {
  free: 'Free',
  plus: 'Plus',
  pro: 'Pro',
  enterprise: 'Enterprise',
}

const statusClassLabels: Record<StatusClass, string> = {
  '2xx': '2xx',
  '4xx': '4xx',
  '429': '429',
  '5xx': '5xx',
}

export const statusClassChoices: readonly { value: StatusClass | ''; label: string }[] = [
  { value: '', label: 'All' },
  ...(Object.keys(statusClassLabels) as StatusClass[]).map((value) => ({
    value,
    label: statusClassLabels[value],
  })),
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
  'key.exposed': 'Key exposed',
  'key.rotated': 'Key rolled',
  'key.expiry_changed': 'Expiration changed',
  'member.added': 'Member added',
  'member.role_changed': 'Member role changed',
  'member.removed': 'Member removed',
  'invitation.created': 'Invitation created',
  'invitation.revoked': 'Invitation revoked',
  'webhook.created': 'Webhook created',
  'webhook.deleted': 'Webhook deleted',
  'webhook.secret_rotated': 'Webhook secret rotated',
  'oauth_grant.created': 'App connected',
  'oauth_grant.revoked': 'Connected app revoked',
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
  { value: 'oauth_grant', label: 'Connected apps' },
  { value: 'account', label: 'The account' },
]

const graceLabels: Record<GracePreset, string> = {
  '0': 'None: refuse the previous secret at once',
  '1h': '1 hour',
  '24h': '24 hours',
  '7d': '7 days',
  '30d': '30 days',
}

/** How long a rolled key's previous secret keeps working, in the core's order. */
export const graceChoices: readonly { value: GracePreset; label: string }[] = coreGracePresets.map(
  (value) => ({
    value,
    label: graceLabels[value],
  }),
)
