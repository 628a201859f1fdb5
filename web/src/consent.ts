import { allScopes, readOnlyScopes } from './catalogue.ts'

/**
 * What the consent page ticks at first: the read scopes the user's role may grant, narrowed to those the app asked
 * for when it asked for any. Writing is always a choice the user makes, never a default.
 */
export function defaultConsentScopes(requested: readonly string[], ceiling: readonly string[]): Set<string> {
  const asked = new Set(requested)
  const allowed = new Set(ceiling)
  return new Set(
    readOnlyScopes.filter((scope) => allowed.has(scope) && (asked.size === 0 || asked.has(scope))),
  )
}

/**
 * The scopes the consent cannot grant, and why: above the role's ceiling, or (when the app named any) not asked
 * for — a grant never exceeds the request, and the server refuses such a consent.
 */
export function unavailableScopes(
  ceiling: readonly string[],
  requested: readonly string[],
  reasons: { role: string; notRequested: string },
): Map<string, string> {
  const allowed = new Set(ceiling)
  const asked = new Set(requested)
  const unavailable = new Map<string, string>()
  for (const scope of allScopes) {
    if (!allowed.has(scope)) unavailable.set(scope, reasons.role)
    else if (asked.size > 0 && !asked.has(scope)) unavailable.set(scope, reasons.notRequested)
  }
  return unavailable
}

/** The chosen scopes that may be granted, in catalogue order: what the consent sends. */
export function grantedScopes(
  chosen: ReadonlySet<string>,
  unavailable: ReadonlyMap<string, string>,
): string[] {
  return allScopes.filter((scope) => chosen.has(scope) && !unavailable.has(scope))
}

const units: readonly [seconds: number, one: string, many: string][] = [
  [86_400, 'day', 'days'],
  [3_600, 'hour', 'hours'],
  [60, 'minute', 'minutes'],
]

/** "1 hour", "14 days", "90 minutes": the largest unit that divides the duration, so nothing is rounded away. */
export function formatSeconds(seconds: number): string {
  for (const [size, one, many] of units) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size
      return `${count} ${count === 1 ? one : many}`
    }
  }
  return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`
}
