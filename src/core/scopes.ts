import { badRequest } from './errors.ts'

/** DevTune's 11 endpoint groups. A key holding all of them is a full-access key. */
export const scopeCatalogue = [
  'visibility.read',
  'citations.read',
  'competitive.read',
  'adoption.read',
  'traffic.read',
  'tests.read',
  'actions.read',
  'actions.write',
  'intelligence.read',
  'webhooks.read',
  'webhooks.write',
] as const
export type Scope = (typeof scopeCatalogue)[number]

/** `null` means full access: every scope, including any the catalogue gains later. */
export type ScopeSet = readonly Scope[] | null

const known = new Set<string>(scopeCatalogue)

export function isScope(value: string): value is Scope {
  return known.has(value)
}

/**
 * Validates requested scopes and stores them canonically: sorted in catalogue order, without duplicates, and as
 * `null` when every scope is selected, so that "all selected" and "full access" behave the same.
 */
export function normalizeScopes(requested: readonly string[] | null | undefined): ScopeSet {
  if (requested == null) return null
  const unknown = requested.filter((s) => !isScope(s))
  if (unknown.length > 0) throw badRequest(`Unknown scope: ${unknown.join(', ')}`)
  if (requested.length === 0) throw badRequest('A key needs at least one scope')
  const chosen = new Set(requested)
  if (chosen.size === scopeCatalogue.length) return null
  return scopeCatalogue.filter((s) => chosen.has(s))
}

/** `required` null: the operation needs no scope (any valid key may introspect itself). */
export function hasScope(scopes: ScopeSet, required: Scope | null): boolean {
  return required === null || scopes === null || scopes.includes(required)
}
