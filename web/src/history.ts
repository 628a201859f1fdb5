import type { HistoryEvent } from './api.ts'
import { roleLabels } from './catalogue.ts'
import { formatDate } from './format.ts'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function scopesText(value: unknown): string {
  if (value === null || value === undefined) return 'Full access'
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none'
  return String(value)
}

function valueText(name: string, value: unknown): string {
  if (name === 'scopes') return scopesText(value)
  if (value === null || value === undefined) return name === 'expiresAt' ? 'Never' : 'none'
  if (typeof value === 'number' && (name.endsWith('At') || name.endsWith('Until'))) return formatDate(value)
  if (typeof value === 'number' && name === 'graceSeconds') return graceText(value)
  if (typeof value === 'string' && value in roleLabels) return roleLabels[value as keyof typeof roleLabels]
  if (Array.isArray(value)) return value.map((item) => valueText('', item)).join(', ')
  if (isRecord(value)) return JSON.stringify(value)
  return String(value)
}

/** "24 hours", "7 days", "none" for a rotation's grace period. */
function graceText(seconds: number): string {
  if (seconds === 0) return 'none'
  const [count, unit] = seconds % 86_400 === 0 ? [seconds / 86_400, 'day'] : [seconds / 3_600, 'hour']
  return `${Math.round(count * 100) / 100} ${unit}${count === 1 ? '' : 's'}`
}

const fieldLabels: Record<string, string> = {
  graceSeconds: 'Grace',
  previousKeyValidUntil: 'Previous secret until',
  name: 'Name',
  projectId: 'Project',
  scopes: 'Scopes',
  expiresAt: 'Expires',
  role: 'Role',
  email: 'Email',
  url: 'URL',
  events: 'Events',
  plan: 'Plan',
}

function fieldLabel(name: string): string {
  const known = fieldLabels[name]
  if (known) return known
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/**
 * The event's details in words: "Full access → visibility.read" for a scope change, "Member → Owner" for a role
 * change, "Scopes: Full access · Expires: Never" for a new key.
 */
export function describeDetails(
  event: HistoryEvent,
  projectNames: ReadonlyMap<string, string> = new Map(),
): string {
  const details = event.details
  if ('from' in details || 'to' in details) {
    const name =
      event.action === 'key.scopes_changed'
        ? 'scopes'
        : event.action === 'key.expiry_changed'
          ? 'expiresAt'
          : ''
    return `${valueText(name, details.from)} → ${valueText(name, details.to)}`
  }
  const parts: string[] = []
  for (const [name, value] of Object.entries(details)) {
    if (name === 'name' && event.action === 'key.created') continue
    const text =
      name === 'projectId' && typeof value === 'string'
        ? (projectNames.get(value) ?? value)
        : valueText(name, value)
    parts.push(`${fieldLabel(name)}: ${text}`)
  }
  return parts.join(' · ')
}

const targetTypeLabels: Record<string, string> = {
  key: 'Key',
  project: 'Project',
  member: 'Member',
  invitation: 'Invitation',
  webhook: 'Webhook',
  account: 'Account',
}

export function targetTypeLabel(targetType: string): string {
  return targetTypeLabels[targetType] ?? targetType
}

/** The target's name when known (from the details or the caller's look-up), else a short id. */
export function describeTarget(event: HistoryEvent, names: ReadonlyMap<string, string>): string {
  const known = names.get(event.targetId)
  const details = event.details
  const fromDetails = [details.name, details.email, details.url].find((value) => typeof value === 'string')
  const label = known ?? (fromDetails as string | undefined) ?? `${event.targetId.slice(0, 8)}…`
  return `${targetTypeLabel(event.targetType)} ${label}`
}
