import { type Role, roleHas } from './roles.ts'
import { type Scope, scopeCatalogue } from './scopes.ts'

/** The scopes that change data: a grant may hold them only for a member with `settings.manage`, as for keys. */
export const writeScopes: readonly Scope[] = ['actions.write', 'webhooks.write']

/**
 * The most a user of this role may grant an MCP client: Viewers read only; write scopes need `settings.manage`.
 * Applied at consent and again on every request (a grant narrows at once when its user's role drops).
 */
export function grantCeiling(role: Role): readonly Scope[] {
  const canWrite = roleHas(role, 'settings.manage')
  return scopeCatalogue.filter((scope) => canWrite || !writeScopes.includes(scope))
}

/** The granted scopes the user's current role still allows, in catalogue order. */
export function narrowToRole(granted: readonly Scope[], role: Role): readonly Scope[] {
  const ceiling = grantCeiling(role)
  return ceiling.filter((scope) => granted.includes(scope))
}
