import { forbidden, notFound } from './errors.ts'
import type { Actor } from './model.ts'
import type { MembershipStore } from './ports.ts'
import { type Permission, type Role, roleHas } from './roles.ts'

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
  if (actor.kind === 'operator') return 'operator'
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
