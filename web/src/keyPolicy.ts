import { maxLifetimeRange, readOnlyScopes } from '../../src/core/key-policy.ts'
import type { ExpirationChoice, KeyPolicy } from './api.ts'
import { allScopes, expirationChoices } from './catalogue.ts'

const day = 86_400_000
/** Each preset's lifetime in days (never: none), as the core counts them. */
const presetDays: Record<ExpirationChoice, number | null> = {
  never: null,
  '30d': 30,
  '60d': 60,
  '90d': 90,
  '180d': 180,
  '1y': 365,
}

/** The expiration presets the policy allows a new key; the server checks again. */
export function allowedExpirations(policy: KeyPolicy | undefined) {
  if (!policy) return expirationChoices
  const neverAllowed = !policy.requireExpiry && policy.maxLifetimeDays === null
  return expirationChoices.filter(({ value }) => {
    const days = presetDays[value]
    if (days === null) return neverAllowed
    return policy.maxLifetimeDays === null || days * day <= policy.maxLifetimeDays * day
  })
}

/** The scopes the Create API Key dialog starts with. */
export const initialScopes = (policy: KeyPolicy | undefined): Set<string> =>
  new Set(policy?.defaultScopes === 'read' ? readOnlyScopes : allScopes)

/** The text of the max-lifetime field as the API takes it: '' is no maximum; anything else must be 1–366 days. */
export function parseLifetimeField(
  text: string,
): { ok: true; days: number | null } | { ok: false; error: string } {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: true, days: null }
  const days = Number(trimmed)
  if (!Number.isInteger(days) || days < maxLifetimeRange.min || days > maxLifetimeRange.max)
    return {
      ok: false,
      error: `Enter a whole number of days from ${maxLifetimeRange.min} to ${maxLifetimeRange.max}, or leave it empty`,
    }
  return { ok: true, days }
}
