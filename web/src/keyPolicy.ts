import { expirationChoices as lifetimes } from '../../src/core/expiration.ts'
import { maxLifetimeRange } from '../../src/core/key-policy.ts'
import type { KeyPolicy } from './api.ts'
import { expirationChoices } from './catalogue.ts'

const day = 86_400_000

/** The expiration presets the policy allows a new key (lifetimes as the core counts them); the server checks again. */
export function allowedExpirations(policy: KeyPolicy | undefined) {
  if (!policy) return expirationChoices
  const neverAllowed = !policy.requireExpiry && policy.maxLifetimeDays === null
  return expirationChoices.filter(({ value }) => {
    const lifetime = lifetimes[value]
    if (lifetime === null) return neverAllowed
    return policy.maxLifetimeDays === null || lifetime <= policy.maxLifetimeDays * day
  })
}

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
