import { dayMs, hourMs, parseDuration } from './duration.ts'
import { badRequest } from './errors.ts'

/** The six choices of the Create API Key dialog, counted from creation. */
export const expirationChoices = {
  never: null,
  '30d': 30 * dayMs,
  '60d': 60 * dayMs,
  '90d': 90 * dayMs,
  '180d': 180 * dayMs,
  '1y': 365 * dayMs,
} as const satisfies Record<string, number | null>
export type ExpirationChoice = keyof typeof expirationChoices

/** A custom lifetime, as a duration or as a date, lies within these bounds from the moment it is set. */
export const customLifetime = { minMs: hourMs, maxMs: 366 * dayMs } as const

const dateOnly = /^\d{4}-\d{2}-\d{2}$/
/** A full ISO 8601 instant must name its zone: a bare local time would depend on the server's. */
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/

const invalid = (choice: string, why: string) =>
  badRequest(
    `Invalid expiration: ${choice} (${why}; use ${Object.keys(expirationChoices).join(', ')}, ` +
      'a duration from 1h to 366d such as 2h or 45d, or a date such as 2027-03-01)',
  )

/**
 * The one place an expiry is computed, from a preset, a duration or a date, counted from `from` (creation, or the
 * moment an expiry is changed). Returns null for "never". A date alone means midnight UTC at its start. Every
 * surface (dashboard, CLI, core) goes through here, so an account policy can bound the result in one place.
 */
export function expiresAtFor(choice: string, from: number): number | null {
  if (Object.hasOwn(expirationChoices, choice)) {
    const lifetime = expirationChoices[choice as ExpirationChoice]
    return lifetime === null ? null : from + lifetime
  }
  const at = customExpiry(choice, from)
  if (at === undefined) throw invalid(choice, 'not a choice, a duration or a date')
  if (at - from < customLifetime.minMs) throw invalid(choice, 'less than 1 hour from now')
  if (at - from > customLifetime.maxMs) throw invalid(choice, 'more than 366 days from now')
  return at
}

function customExpiry(choice: string, from: number): number | undefined {
  const duration = parseDuration(choice)
  if (duration !== undefined) return from + duration
  if (dateOnly.test(choice)) {
    const at = Date.parse(`${choice}T00:00:00Z`)
    // Date.parse rolls 2027-02-30 over to March: only a real calendar day is taken.
    return !Number.isNaN(at) && new Date(at).toISOString().startsWith(choice) ? at : undefined
  }
  const at = isoInstant.test(choice) ? Date.parse(choice) : Number.NaN
  return Number.isNaN(at) ? undefined : at
}
