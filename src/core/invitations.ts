import { hash, randomBytes, randomUUID } from 'node:crypto'
import { requireMember, requirePermission } from './access.ts'
import { insertMember } from './accounts.ts'
import { badRequest, conflict, forbidden, notFound } from './errors.ts'
import { managementEvent } from './events.ts'
import type { Account, Actor, Instant, Invitation, InvitationRecord } from './model.ts'
import type { MembershipStore, Stores } from './ports.ts'
import { type Role, roleHas } from './roles.ts'
import { parseRole, type TeamDeps } from './team.ts'

export const invitationLifetimeMs = 7 * 24 * 60 * 60 * 1000

/** The token carries 256 random bits, so a fast unsalted hash suffices, and it doubles as the lookup index. */
export const hashInvitationToken = (token: string): string => hash('sha256', token, 'hex')

/** A sanity check, not RFC 5322: the invitation is proven by signing in with that address, not by its shape. */
export function normalizeEmail(value: unknown): string {
  const email = typeof value === 'string' ? value.trim().toLowerCase() : ''
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw badRequest('Invalid email address')
  return email
}

const isPending = (i: InvitationRecord, at: Instant) =>
  i.acceptedAt === null && i.revokedAt === null && i.expiresAt > at

/** Unknown, expired, revoked and accepted tokens all read alike: the caller learns nothing about which. */
async function pendingByToken(stores: Stores, token: unknown, at: Instant): Promise<InvitationRecord> {
  const invitation =
    typeof token === 'string' && token.length > 0 && token.length <= 128
      ? await stores.invitations.findByTokenHash(hashInvitationToken(token))
      : undefined
  if (!invitation || !isPending(invitation, at)) throw notFound('Invitation')
  return invitation
}

/**
 * `invites.manage` invites as Member; inviting as Owner or Viewer sets a role, so it also takes `roles.manage`.
 * A new invitation to the same address replaces the pending one, so that only the latest link works.
 */
export async function createInvitation(
  deps: TeamDeps,
  actor: Actor,
  input: { accountId: string; email: string; role: string },
): Promise<{ invitation: Invitation; token: string }> {
  if (!(await deps.storage.accounts.findById(input.accountId))) throw notFound('Account')
  const role: Role = parseRole(input.role)
  const mayInvite = async (memberships: MembershipStore) => {
    const actorRole = await requireMember(memberships, actor, input.accountId, 'Account')
    const may = (permission: 'invites.manage' | 'roles.manage') =>
      actorRole === 'operator' || roleHas(actorRole, permission)
    if (!may('invites.manage')) throw forbidden('This requires the invites.manage permission')
    if (role !== 'member' && !may('roles.manage'))
      throw forbidden(`Inviting as ${role} requires the roles.manage permission`)
  }
  await mayInvite(deps.storage.memberships)
  const email = normalizeEmail(input.email)
  const invitee = await deps.users.findByEmail(email)
  const inviter = actor.kind === 'user' ? ((await deps.users.findById(actor.userId)) ?? null) : null

  const now = deps.clock()
  const token = randomBytes(32).toString('base64url')
  const invitation: Invitation = {
    id: randomUUID(),
    accountId: input.accountId,
    email,
    role,
    createdAt: now,
    expiresAt: now + invitationLifetimeMs,
    invitedBy: inviter,
  }
  await deps.storage.transaction(async (stores) => {
    await stores.memberships.lockAccount(input.accountId)
    await mayInvite(stores.memberships) // again under the lock: a demoted inviter must not finish
    if (invitee && (await stores.memberships.roleOf(input.accountId, invitee.id)))
      throw conflict(`${email} is already a member`)
    const event = (action: 'invitation.created' | 'invitation.revoked', id: string, details = {}) =>
      managementEvent(actor, now, {
        accountId: input.accountId,
        action,
        targetType: 'invitation',
        targetId: id,
        details,
      })
    for (const replaced of await stores.invitations.pendingIdsFor(input.accountId, email, now)) {
      await stores.invitations.revoke(replaced, now)
      await stores.events.append(event('invitation.revoked', replaced, { email, replacedBy: invitation.id }))
    }
    const { invitedBy: _, ...fields } = invitation
    await stores.invitations.insert(
      { ...fields, invitedBy: inviter?.id ?? null, acceptedAt: null, acceptedBy: null, revokedAt: null },
      hashInvitationToken(token),
    )
    await stores.events.append(event('invitation.created', invitation.id, { email, role }))
  })
  return { invitation, token }
}

/**
 * A pending invitation's link again. Only the token's hash is stored, so the link cannot be shown twice: a new token
 * replaces the old one (which stops working) and the week starts over. The same permissions as inviting.
 */
export async function regenerateInvitationLink(
  deps: Pick<TeamDeps, 'storage' | 'clock'>,
  actor: Actor,
  input: { accountId: string; invitationId: string },
): Promise<{ invitation: InvitationRecord; token: string }> {
  const now = deps.clock()
  const token = randomBytes(32).toString('base64url')
  const expiresAt = now + invitationLifetimeMs
  const invitation = await deps.storage.transaction(async (stores) => {
    const actorRole = await requireMember(stores.memberships, actor, input.accountId, 'Invitation')
    const may = (permission: 'invites.manage' | 'roles.manage') =>
      actorRole === 'operator' || roleHas(actorRole, permission)
    if (!may('invites.manage')) throw forbidden('This requires the invites.manage permission')
    const invitation = await stores.invitations.findById(input.invitationId)
    if (!invitation || invitation.accountId !== input.accountId || !isPending(invitation, now))
      throw notFound('Invitation')
    if (invitation.role !== 'member' && !may('roles.manage'))
      throw forbidden(`Inviting as ${invitation.role} requires the roles.manage permission`)
    if (!(await stores.invitations.replaceToken(invitation.id, hashInvitationToken(token), expiresAt, now)))
      throw notFound('Invitation')
    await stores.events.append(
      managementEvent(actor, now, {
        accountId: invitation.accountId,
        action: 'invitation.link_regenerated',
        targetType: 'invitation',
        targetId: invitation.id,
        details: { email: invitation.email, role: invitation.role },
      }),
    )
    return { ...invitation, expiresAt }
  })
  return { invitation, token }
}

/**
 * What the invite page shows before sign-in, to anyone holding the link: the team's name and the role, nothing
 * else (not the address it was sent to, nor who sent it). The token is 256 random bits: it cannot be guessed.
 */
export async function previewInvitation(
  deps: Pick<TeamDeps, 'storage' | 'clock'>,
  input: { token: string },
): Promise<{ accountName: string; role: Role }> {
  const invitation = await pendingByToken(deps.storage, input.token, deps.clock())
  const account = await deps.storage.accounts.findById(invitation.accountId)
  if (!account) throw notFound('Invitation')
  return { accountName: account.name, role: invitation.role }
}

/** Pending invitations only, newest first. */
export async function listInvitations(
  deps: Pick<TeamDeps, 'storage' | 'clock'>,
  actor: Actor,
  input: { accountId: string },
): Promise<Invitation[]> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  return deps.storage.invitations.listPending(input.accountId, deps.clock())
}

export async function revokeInvitation(
  deps: Pick<TeamDeps, 'storage' | 'clock'>,
  actor: Actor,
  input: { accountId: string; invitationId: string },
): Promise<void> {
  await requirePermission(deps.storage.memberships, actor, input.accountId, 'invites.manage', 'Account')
  const now = deps.clock()
  await deps.storage.transaction(async (stores) => {
    const invitation = await stores.invitations.findById(input.invitationId)
    if (!invitation || invitation.accountId !== input.accountId || !isPending(invitation, now))
      throw notFound('Invitation')
    if (!(await stores.invitations.revoke(invitation.id, now))) throw notFound('Invitation')
    await stores.events.append(
      managementEvent(actor, now, {
        accountId: invitation.accountId,
        action: 'invitation.revoked',
        targetType: 'invitation',
        targetId: invitation.id,
        details: { email: invitation.email, role: invitation.role },
      }),
    )
  })
}

/** What the invite page shows a signed-in user before they accept: anyone holding the link may see it. */
export async function describeInvitation(
  deps: Pick<TeamDeps, 'storage' | 'clock'>,
  actor: Actor,
  input: { token: string },
): Promise<{ accountName: string; email: string; role: Role; expiresAt: Instant }> {
  if (actor.kind !== 'user') throw notFound('Invitation')
  const invitation = await pendingByToken(deps.storage, input.token, deps.clock())
  const account = await deps.storage.accounts.findById(invitation.accountId)
  if (!account) throw notFound('Invitation')
  return {
    accountName: account.name,
    email: invitation.email,
    role: invitation.role,
    expiresAt: invitation.expiresAt,
  }
}

/**
 * Joins the account with the invited role, in one transaction, and only as the invited address: a forwarded link
 * is useless to anyone else. Someone who is already a member keeps their role; the invitation is used up either way.
 */
export async function acceptInvitation(
  deps: TeamDeps,
  actor: Actor,
  input: { token: string },
): Promise<{ account: Account; role: Role }> {
  if (actor.kind !== 'user') throw notFound('Invitation')
  const user = await deps.users.findById(actor.userId)
  if (!user) throw notFound('Invitation')
  const now = deps.clock()

  return deps.storage.transaction(async (stores) => {
    const invitation = await pendingByToken(stores, input.token, now)
    if (user.email.trim().toLowerCase() !== invitation.email)
      throw forbidden('This invitation was sent to another email address')
    await stores.memberships.lockAccount(invitation.accountId)
    // Conditional on still being pending, so that of two concurrent accepts only one gets past here.
    if (!(await stores.invitations.accept(invitation.id, now, user.id))) throw notFound('Invitation')
    const account = await stores.accounts.findById(invitation.accountId)
    if (!account) throw notFound('Invitation')
    const current = await stores.memberships.roleOf(account.id, user.id)
    if (current) return { account, role: current }
    const membership = { accountId: account.id, userId: user.id, role: invitation.role, createdAt: now }
    await insertMember(stores, actor, membership, { invitationId: invitation.id })
    return { account, role: invitation.role }
  })
}
