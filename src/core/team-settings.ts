import { requireMember } from './access.ts'
import { badRequest, conflict, forbidden, notFound } from './errors.ts'
import { managementEvent } from './events.ts'
import type { Account, Actor, User } from './model.ts'
import { revokeGrantWithin } from './oauth-grants.ts'
import type { MembershipStore, Stores } from './ports.ts'
import type { Role } from './roles.ts'
import type { TeamDeps } from './team.ts'
import { requireName } from './validation.ts'

/** Team settings, ownership transfer and deletion (DevTune's team docs: Settings tab; primary owner only). */
export interface TeamSettingsDeps extends TeamDeps {
  /** Called for each key revoked by a deletion, after the commit, so this node's cache forgets it at once. */
  onKeyChanged(keyId: string): void
  /** This node's cache of each project's webhooks (other nodes hear of the deletion by NOTIFY). */
  webhookLists?: { invalidate(projectId: string): void }
}

export interface TeamSettings {
  account: Account
  primaryOwner: User | null
  /** The caller's role; `operator` at the host's CLI. */
  role: Role | 'operator'
  /** Whether the caller may transfer ownership and delete the team. */
  isPrimaryOwner: boolean
}

/** 2–48 of a-z, 0-9 and single hyphens, starting and ending with a letter or digit (as `slugify` makes them). */
const slugPattern = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,47}$/

export function parseSlug(value: unknown): string {
  const slug = typeof value === 'string' ? value.trim() : ''
  if (!slugPattern.test(slug))
    throw badRequest(
      'Invalid slug: use 2–48 lowercase letters, digits and single hyphens, starting and ending with a letter or digit',
    )
  // The prefix of freed slugs: a live team taking one could be mistaken for a deleted team in the history.
  if (slug.startsWith('deleted-')) throw badRequest('Invalid slug: "deleted-" is reserved')
  return slug
}

export const primaryOwnerOnly = 'Only the primary owner may do this'

async function liveAccount(stores: Pick<Stores, 'accounts'>, accountId: string): Promise<Account> {
  const account = await stores.accounts.findById(accountId)
  if (!account) throw notFound('Account')
  return account
}

/** Owners edit the settings; the operator may too. */
async function requireOwner(memberships: MembershipStore, actor: Actor, accountId: string) {
  const role = await requireMember(memberships, actor, accountId, 'Account')
  if (role !== 'owner' && role !== 'operator') throw forbidden('Only Owners may change the team settings')
}

/** The primary owner (or the operator) only; everyone else who belongs to the team is refused, others learn nothing. */
async function requirePrimaryOwner(stores: Stores, actor: Actor, accountId: string) {
  await requireMember(stores.memberships, actor, accountId, 'Account')
  if (actor.kind === 'operator') return
  const primary = await stores.accounts.primaryOwnerOf(accountId)
  if (actor.kind !== 'user' || primary !== actor.userId) throw forbidden(primaryOwnerOnly)
}

export async function getTeamSettings(
  deps: TeamDeps,
  actor: Actor,
  input: { accountId: string },
): Promise<TeamSettings> {
  const role = await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  const account = await liveAccount(deps.storage, input.accountId)
  const primaryId = await deps.storage.accounts.primaryOwnerOf(account.id)
  const primaryOwner = primaryId ? ((await deps.users.findById(primaryId)) ?? null) : null
  const isPrimaryOwner = role === 'operator' || (actor.kind === 'user' && actor.userId === primaryId)
  return { account, primaryOwner, role, isPrimaryOwner }
}

/** Name and slug; a field left out keeps its value, and a change to neither records nothing. */
export async function updateTeamSettings(
  deps: TeamDeps,
  actor: Actor,
  input: { accountId: string; name?: string; slug?: string },
): Promise<Account> {
  await requireOwner(deps.storage.memberships, actor, input.accountId)
  const name = input.name === undefined ? undefined : requireName(input.name, 'Team')
  const slug = input.slug === undefined ? undefined : parseSlug(input.slug)
  return deps.storage.transaction(async (stores) => {
    await stores.memberships.lockAccount(input.accountId)
    await requireOwner(stores.memberships, actor, input.accountId) // again under the lock
    const account = await liveAccount(stores, input.accountId)
    const next = { name: name ?? account.name, slug: slug ?? account.slug }
    const details: Record<string, { from: string; to: string }> = {}
    if (next.name !== account.name) details.name = { from: account.name, to: next.name }
    if (next.slug !== account.slug) details.slug = { from: account.slug, to: next.slug }
    if (Object.keys(details).length === 0) return account
    if ((await stores.accounts.updateProfile(account.id, next)) === 'slug_taken')
      throw conflict(`The slug ${next.slug} is taken by another team`)
    await stores.events.append(
      managementEvent(actor, deps.clock(), {
        accountId: account.id,
        action: 'account.renamed',
        targetType: 'account',
        targetId: account.id,
        details,
      }),
    )
    return { ...account, ...next }
  })
}

/** The primary owner hands over to another member, who becomes an Owner if they were not; the former stays Owner. */
export async function transferOwnership(
  deps: TeamDeps,
  actor: Actor,
  input: { accountId: string; userId: string },
): Promise<TeamSettings> {
  await requirePrimaryOwner(deps.storage, actor, input.accountId)
  await deps.storage.transaction(async (stores) => {
    await stores.memberships.lockAccount(input.accountId)
    await requirePrimaryOwner(stores, actor, input.accountId) // again under the lock: two transfers cannot both pass
    const account = await liveAccount(stores, input.accountId)
    const from = await stores.accounts.primaryOwnerOf(account.id)
    if (from === input.userId) throw badRequest('This member is already the primary owner')
    const role = await stores.memberships.roleOf(account.id, input.userId)
    if (!role) throw badRequest('The new primary owner must be a member of the team')
    const at = deps.clock()
    const event = (action: 'member.role_changed' | 'account.ownership_transferred', details: object) =>
      managementEvent(actor, at, {
        accountId: account.id,
        action,
        targetType: action === 'member.role_changed' ? 'member' : 'account',
        targetId: action === 'member.role_changed' ? input.userId : account.id,
        details: { ...details },
      })
    if (role !== 'owner') {
      await stores.memberships.setRole(account.id, input.userId, 'owner')
      await stores.events.append(event('member.role_changed', { from: role, to: 'owner' }))
    }
    await stores.accounts.setPrimaryOwner(account.id, input.userId)
    await stores.events.append(event('account.ownership_transferred', { from, to: input.userId }))
  })
  return getTeamSettings(deps, actor, input)
}

export interface DeletedTeam {
  keysRevoked: number
  membersRemoved: number
  invitationsRevoked: number
  webhooksDeleted: number
}

/**
 * Deletes the team, confirmed by typing its name. Soft: the account row stays for the audit trail (history, Agent
 * Activity, the revoked keys), but every key is revoked (the next request with one gets the generic 401), every
 * membership, pending invitation and webhook ends, and no store read sees the team again. One transaction.
 * MCP OAuth grants (DESIGN §9), once they exist, belong in this transaction too: a deleted team keeps no access.
 */
export async function deleteTeam(
  deps: TeamSettingsDeps,
  actor: Actor,
  input: { accountId: string; confirmName: string },
): Promise<DeletedTeam> {
  await requirePrimaryOwner(deps.storage, actor, input.accountId)
  const at = deps.clock()
  const revokedBy = actor.kind === 'user' ? actor.userId : null
  const { keyIds, grantIds, projectIds, result } = await deps.storage.transaction(async (stores) => {
    await stores.memberships.lockAccount(input.accountId)
    await requirePrimaryOwner(stores, actor, input.accountId)
    const account = await liveAccount(stores, input.accountId)
    if (typeof input.confirmName !== 'string' || input.confirmName.trim() !== account.name)
      throw badRequest(`Type the team's name, ${account.name}, to confirm its deletion`)
    const event = (action: 'key.revoked' | 'account.deleted', targetId: string, details: object) =>
      managementEvent(actor, at, {
        accountId: account.id,
        action,
        targetType: action === 'key.revoked' ? 'key' : 'account',
        targetId,
        details: { ...details },
      })

    const keyIds: string[] = []
    for (const key of await stores.keys.listByAccount(account.id, { hideRevoked: true })) {
      if (!(await stores.keys.revoke(key.id, at, revokedBy))) continue
      await stores.keys.announceChange(key.id) // every node drops it on commit (Postgres NOTIFY)
      await stores.events.append(event('key.revoked', key.id, { reason: 'account_deleted' }))
      keyIds.push(key.id)
    }
    // OAuth grants end like keys (their users are no longer members either way, but caches hold them up to 10 s).
    const grantIds: string[] = []
    for (const grant of await stores.oauthGrants.listByAccount(account.id)) {
      if (grant.revokedAt !== null) continue
      if (await revokeGrantWithin(stores, actor, grant, at, 'account_deleted')) grantIds.push(grant.id)
    }
    let invitationsRevoked = 0
    for (const invitation of await stores.invitations.listPending(account.id, at))
      if (await stores.invitations.revoke(invitation.id, at)) invitationsRevoked++
    let webhooksDeleted = 0
    const projectIds = (await stores.projects.listByAccount(account.id)).map((p) => p.id)
    for (const project of projectIds.map((id) => ({ id })))
      for (const webhook of await stores.webhooks.listActive(project.id)) {
        await stores.webhooks.deactivate(webhook.id, at)
        await stores.deliveries.cancelPending(webhook.id, at)
        webhooksDeleted++
      }
    const membersRemoved = await stores.memberships.deleteAll(account.id)
    const result: DeletedTeam = {
      keysRevoked: keyIds.length,
      membersRemoved,
      invitationsRevoked,
      webhooksDeleted,
    }
    await stores.events.append(
      event('account.deleted', account.id, { name: account.name, slug: account.slug, ...result }),
    )
    await stores.accounts.markDeleted(account.id, at)
    return { keyIds, grantIds, projectIds, result }
  })
  for (const keyId of keyIds) deps.onKeyChanged(keyId)
  for (const grantId of grantIds) deps.onGrantChanged?.(grantId)
  for (const projectId of projectIds) deps.webhookLists?.invalidate(projectId)
  return result
}
