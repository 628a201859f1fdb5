import { requireMember, requirePermission } from './access.ts'
import type { Clock } from './clock.ts'
import { badRequest, conflict, notFound } from './errors.ts'
import { managementEvent } from './events.ts'
import type { Actor, TeamMember } from './model.ts'
import { revokeGrantWithin } from './oauth-grants.ts'
import type { MembershipStore, Storage, Stores, UserDirectory } from './ports.ts'
import { isRole, type Role } from './roles.ts'

export interface TeamDeps {
  storage: Storage
  users: UserDirectory
  clock: Clock
  /** This node drops a grant whose scopes or life a membership change affected (other nodes hear the NOTIFY). */
  onGrantChanged?(grantId: string): void
}

export const lastOwnerMessage = 'An account needs at least one Owner'

export function parseRole(value: unknown): Role {
  if (typeof value === 'string' && isRole(value)) return value
  throw badRequest(`Invalid role: ${String(value)} (use owner, member or viewer)`)
}

/** Inside a transaction that holds the account lock, so that a concurrent demotion cannot slip in between. */
async function refuseLastOwner(stores: Stores, accountId: string): Promise<void> {
  if ((await stores.memberships.countByRole(accountId, 'owner')) <= 1) throw conflict(lastOwnerMessage)
}

/** The primary owner hands over first (team-settings.ts): a team always has one who may transfer and delete it. */
async function refusePrimaryOwner(stores: Stores, accountId: string, userId: string): Promise<void> {
  if ((await stores.accounts.primaryOwnerOf(accountId)) === userId)
    throw conflict('The primary owner cannot leave or stop being an Owner: transfer ownership first')
}

export async function listMembers(
  deps: Pick<TeamDeps, 'storage'>,
  actor: Actor,
  input: { accountId: string },
): Promise<TeamMember[]> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  return deps.storage.memberships.listWithUsers(input.accountId)
}

/** Setting the role a member already has changes nothing and records nothing. */
export async function changeMemberRole(
  deps: TeamDeps,
  actor: Actor,
  input: { accountId: string; userId: string; role: string },
): Promise<TeamMember> {
  await requirePermission(deps.storage.memberships, actor, input.accountId, 'roles.manage', 'Account')
  const role = parseRole(input.role)
  const user = await deps.users.findById(input.userId)
  if (!user) throw notFound('Member')

  let narrowed: string[] = []
  const changed = await deps.storage.transaction(async (stores) => {
    await stores.memberships.lockAccount(input.accountId)
    // Again under the lock: an actor demoted while this request was on its way must not finish it.
    await requirePermission(stores.memberships, actor, input.accountId, 'roles.manage', 'Account')
    const membership = await stores.memberships.find(input.accountId, input.userId)
    if (!membership) throw notFound('Member')
    const member: TeamMember = {
      userId: user.id,
      email: user.email,
      name: user.name,
      role,
      createdAt: membership.createdAt,
    }
    if (membership.role === role) return member
    if (membership.role === 'owner') {
      await refuseLastOwner(stores, input.accountId)
      await refusePrimaryOwner(stores, input.accountId, input.userId)
    }
    await stores.memberships.setRole(input.accountId, input.userId, role)
    if (role === 'owner') await stores.accounts.claimPrimaryOwner(input.accountId, input.userId)
    await stores.events.append(
      managementEvent(actor, deps.clock(), {
        accountId: input.accountId,
        action: 'member.role_changed',
        targetType: 'member',
        targetId: input.userId,
        details: { from: membership.role, to: role },
      }),
    )
    // Grants are narrowed to the role at every request: each node only has to drop what it cached of them.
    narrowed = await stores.oauthGrants.liveIds(input.accountId, input.userId)
    for (const grantId of narrowed) await stores.oauthGrants.announceChange(grantId)
    return member
  })
  for (const grantId of narrowed) deps.onGrantChanged?.(grantId)
  return changed
}

/** `members.manage` removes anyone; every member may remove themselves (leave), unless they are the last Owner. */
export async function removeMember(
  deps: TeamDeps,
  actor: Actor,
  input: { accountId: string; userId: string },
): Promise<void> {
  const leaving = actor.kind === 'user' && actor.userId === input.userId
  const mayRemove = (memberships: MembershipStore) =>
    leaving
      ? requireMember(memberships, actor, input.accountId, 'Account')
      : requirePermission(memberships, actor, input.accountId, 'members.manage', 'Account')
  await mayRemove(deps.storage.memberships)

  const revoked = await deps.storage.transaction(async (stores) => {
    await stores.memberships.lockAccount(input.accountId)
    await mayRemove(stores.memberships) // again under the lock, as for role changes
    const role = await stores.memberships.roleOf(input.accountId, input.userId)
    if (!role) throw notFound('Member')
    if (role === 'owner') {
      await refuseLastOwner(stores, input.accountId)
      await refusePrimaryOwner(stores, input.accountId, input.userId)
    }
    await stores.memberships.delete(input.accountId, input.userId)
    await stores.events.append(
      managementEvent(actor, deps.clock(), {
        accountId: input.accountId,
        action: 'member.removed',
        targetType: 'member',
        targetId: input.userId,
        details: { role },
      }),
    )
    // Their grants in this team end with their membership, on every node (each revocation NOTIFYs its id).
    const at = deps.clock()
    const ended: string[] = []
    for (const grant of await stores.oauthGrants.listByAccount(input.accountId)) {
      if (grant.userId !== input.userId || grant.revokedAt !== null) continue
      if (await revokeGrantWithin(stores, actor, grant, at, 'member_removed')) ended.push(grant.id)
    }
    return ended
  })
  for (const grantId of revoked) deps.onGrantChanged?.(grantId)
}
