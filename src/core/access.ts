import { forbidden, messages, notFound } from './errors.ts'
import type { Actor } from './model.ts'
import type { MembershipStore, ProjectStore } from './ports.ts'
import { type Permission, type Role, roleHas } from './roles.ts'
import { hasScope, type Scope } from './scopes.ts'

/**
 * The caller must belong to the account. A non-member learns nothing: the object is reported as not found,
 * exactly as if it did not exist.
 */
export async function requireMember(
  memberships: MembershipStore,
  actor: Actor,
  accountId: string,
  objectName: string,
): Promise<Role | 'operator'> {
  if (actor.kind === 'operator' || actor.kind === 'system') return 'operator'
  // API keys never manage accounts, members, projects or keys.
  if (actor.kind === 'key') throw notFound(objectName)
  const role = await memberships.roleOf(accountId, actor.userId)
  if (!role) throw notFound(objectName)
  return role
}

/** Membership plus a permission; a member without it gets `forbidden`, naming the permission. */
export async function requirePermission(
  memberships: MembershipStore,
  actor: Actor,
  accountId: string,
  permission: Permission,
  objectName: string,
): Promise<void> {
  const role = await requireMember(memberships, actor, accountId, objectName)
  if (role !== 'operator' && !roleHas(role, permission)) {
    throw forbidden(`This requires the ${permission} permission`)
  }
}

export function actorId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.userId : null
}

/**
 * Access to one project's API resources: a key needs to belong to the project and hold the scope; a member needs
 * membership to read and `settings.manage` to write; the operator may do anything.
 */
export async function requireProjectAccess(
  deps: { projects: ProjectStore; memberships: MembershipStore },
  actor: Actor,
  projectId: string,
  need: { scope: Scope; write: boolean },
): Promise<void> {
  if (actor.kind === 'key') {
    if (actor.key.projectId !== projectId) throw notFound('Project')
    if (!hasScope(actor.key.scopes, need.scope)) throw forbidden(messages.missingScope(need.scope))
    return
  }
  const project = await deps.projects.findById(projectId)
  if (!project) throw notFound('Project')
  if (need.write)
    await requirePermission(deps.memberships, actor, project.accountId, 'settings.manage', 'Project')
  else await requireMember(deps.memberships, actor, project.accountId, 'Project')
}
