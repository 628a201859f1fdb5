import type { Bound } from './bind.ts'
import type { Clock } from './clock.ts'
import { badRequest, forbidden, notFound } from './errors.ts'
import type { Actor } from './model.ts'
import { grantCeiling } from './oauth-grant-scopes.ts'
import type { recordGrant } from './oauth-grants.ts'
import type { Storage } from './ports.ts'
import type { Role } from './roles.ts'
import { isScope, type Scope, scopeCatalogue } from './scopes.ts'

/** The MCP client asking for access, as the consent page shows it. */
export interface ConsentClient {
  id: string
  name: string
  /** The host of the redirect URI of this authorization: where the browser goes back to. */
  redirectHost: string
}

export interface ConsentDeps {
  storage: Pick<Storage, 'accounts' | 'projects' | 'memberships'>
  /** Records the grant and its History event (`services.grants.record`). */
  grants: { record: Bound<typeof recordGrant> }
  clock: Clock
}

type UserActor = Actor & { kind: 'user' }

/** What the consent page offers the user: each team, the user's role there, its ceiling and its projects. */
export async function consentChoices(deps: ConsentDeps, actor: UserActor) {
  const accounts = await deps.storage.accounts.listForUser(actor.userId)
  return Promise.all(
    accounts.map(async (account) => ({
      id: account.id,
      name: account.name,
      role: account.role,
      ceiling: grantCeiling(account.role),
      projects: (await deps.storage.projects.listByAccount(account.id)).map((p) => ({
        id: p.id,
        name: p.name,
      })),
    })),
  )
}

/** The scopes an authorization request names that Keyward knows, in catalogue order; others are ignored. */
export function requestedScopes(scopeParameter: string | undefined): Scope[] {
  const named = new Set((scopeParameter ?? '').split(' '))
  return scopeCatalogue.filter((scope) => named.has(scope))
}

/**
 * Checks a consent before anything is written: the project exists, the user is a member of its team, and the
 * scopes are known, not empty, and within what the user's role may grant (the same ceiling as on every request).
 */
export async function checkConsent(
  deps: ConsentDeps,
  actor: UserActor,
  input: { projectId: string; scopes: readonly string[] },
): Promise<{ accountId: string; projectId: string; role: Role; scopes: Scope[] }> {
  const project = await deps.storage.projects.findById(input.projectId)
  if (!project) throw notFound('Project')
  const role = await deps.storage.memberships.roleOf(project.accountId, actor.userId)
  if (!role) throw forbidden('You are not a member of the team that owns this project')
  const unknown = input.scopes.filter((scope) => !isScope(scope))
  if (unknown.length > 0) throw badRequest(`invalid_scope: unknown scope ${unknown.join(', ')}`)
  const chosen = new Set(input.scopes)
  if (chosen.size === 0) throw badRequest('invalid_scope: choose at least one scope')
  const ceiling = grantCeiling(role)
  const beyond = [...chosen].filter((scope) => !ceiling.includes(scope as Scope))
  if (beyond.length > 0)
    throw badRequest(
      `invalid_scope: a ${role} cannot grant ${beyond.join(', ')} (write scopes need settings.manage)`,
    )
  return {
    accountId: project.accountId,
    projectId: project.id,
    role,
    scopes: scopeCatalogue.filter((scope) => chosen.has(scope)),
  }
}
