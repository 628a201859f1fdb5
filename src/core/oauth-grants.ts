import { actorId, requireMember } from './access.ts'
import type { Clock } from './clock.ts'
import { conflict, forbidden, notFound } from './errors.ts'
import { managementEvent } from './events.ts'
import type { Actor, Instant } from './model.ts'
import { narrowToRole } from './oauth-grant-scopes.ts'
import type { Storage, Stores } from './ports.ts'
import { roleHas } from './roles.ts'
import { normalizeScopes, type Scope, scopeCatalogue } from './scopes.ts'

/**
 * A user's consent to an MCP client (issue 17): a credential like an API key, bound to one project, with the scopes
 * the user picked. Its id is the authorization server's grant id, which every access token carries (`grant_id`).
 */
export interface OAuthGrant {
  id: string
  accountId: string
  projectId: string
  userId: string
  clientId: string
  clientName: string
  redirectHost: string
  scopes: readonly Scope[]
  createdAt: Instant
  lastUsedAt: Instant | null
  revokedAt: Instant | null
  revokedBy: string | null
}

export type OAuthGrantStatus = 'active' | 'revoked'

/** A grant as the Connected apps list shows it: with its user and project named. */
export interface OAuthGrantListItem extends OAuthGrant {
  user: { id: string; email: string; name: string } | null
  projectName: string
  status: OAuthGrantStatus
}

export type NewOAuthGrant = Omit<OAuthGrant, 'lastUsedAt' | 'revokedAt' | 'revokedBy'>

/** What the activity log shows beside a grant's rows: the client and the user it acted for. */
export interface GrantLabel {
  clientName: string
  userEmail: string | null
}

/**
 * The authorization server's side of a revocation: its tokens for the grant (access, refresh, codes) are deleted in
 * the revoking transaction already; this port lets it drop whatever it keeps elsewhere (attached by the AS).
 */
export interface OAuthTokenRevoker {
  revokeByGrantId(grantId: string): Promise<void>
}

export interface GrantDeps {
  storage: Storage
  clock: Clock
  /** Called after a change to a grant commits: this node's grant cache drops it (other nodes hear the NOTIFY). */
  onGrantChanged(grantId: string): void
  tokenRevoker?: OAuthTokenRevoker
}

/**
 * Records a consent, called by the authorization server once the user picked a project and scopes. The scopes are
 * checked against the user's role again here: a grant can never exceed it.
 */
export async function recordGrant(
  deps: Pick<GrantDeps, 'storage' | 'clock'>,
  actor: Actor,
  input: Omit<NewOAuthGrant, 'accountId' | 'createdAt' | 'scopes'> & { scopes: readonly string[] },
): Promise<OAuthGrant> {
  const project = await deps.storage.projects.findById(input.projectId)
  if (!project) throw notFound('Project')
  if (actor.kind !== 'user' || actor.userId !== input.userId)
    throw forbidden('Only the user may grant access')
  const role = await requireMember(deps.storage.memberships, actor, project.accountId, 'Project')
  // Stored as a list always (never null): a grant names its scopes.
  const scopes = normalizeScopes(input.scopes) ?? scopeCatalogue
  if (role !== 'operator' && narrowToRole(scopes, role).length !== scopes.length)
    throw forbidden('These scopes exceed your role in this team')
  const grant: NewOAuthGrant = { ...input, accountId: project.accountId, scopes, createdAt: deps.clock() }
  // The authorization server never reuses a grant (each consent binds one project): an id seen before is refused.
  if (await deps.storage.oauthGrants.findById(grant.id)) throw conflict('This grant was recorded already')
  // The row and its History event commit together, as a key's creation does (the event also feeds the audit stream).
  await deps.storage.transaction(async (stores) => {
    await stores.oauthGrants.insert(grant)
    await stores.events.append(
      managementEvent(actor, grant.createdAt, {
        accountId: grant.accountId,
        action: 'oauth_grant.created',
        targetType: 'oauth_grant',
        targetId: grant.id,
        details: {
          projectId: grant.projectId,
          clientId: grant.clientId,
          clientName: grant.clientName,
          redirectHost: grant.redirectHost,
          scopes: grant.scopes,
        },
      }),
    )
  })
  return { ...grant, lastUsedAt: null, revokedAt: null, revokedBy: null }
}

/** Every grant of an account, newest first: any member may see them, as any member sees the key list. */
export async function listGrants(
  deps: Pick<GrantDeps, 'storage'>,
  actor: Actor,
  input: { accountId: string },
): Promise<OAuthGrantListItem[]> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  if (actor.kind === 'operator' && !(await deps.storage.accounts.findById(input.accountId)))
    throw notFound('Account')
  const rows = await deps.storage.oauthGrants.listByAccount(input.accountId)
  return rows.map((row) => ({ ...row, status: row.revokedAt === null ? 'active' : 'revoked' }))
}

/**
 * A member with `settings.manage`, the grant's own user, or the operator. Revoking twice changes nothing. The grant
 * ends on every node at once: the revoking transaction NOTIFYs its id on the key-change channel.
 */
export async function revokeGrant(
  deps: GrantDeps,
  actor: Actor,
  input: { grantId: string },
): Promise<OAuthGrant> {
  const grant = await deps.storage.oauthGrants.findById(input.grantId)
  if (!grant) throw notFound('Grant')
  const role = await requireMember(deps.storage.memberships, actor, grant.accountId, 'Grant')
  const ownGrant = actor.kind === 'user' && actor.userId === grant.userId
  if (role !== 'operator' && !ownGrant && !roleHas(role, 'settings.manage'))
    throw forbidden('This requires the settings.manage permission')
  if (grant.revokedAt !== null) return grant
  const at = deps.clock()
  await deps.storage.transaction((stores) => revokeGrantWithin(stores, actor, grant, at))
  await afterGrantsRevoked(deps, [grant.id])
  return { ...grant, revokedAt: at, revokedBy: actorId(actor) }
}

/**
 * The revocation inside the caller's transaction: the row, the provider's tokens of the grant, the cross-node signal
 * and the History event; tells whether this call flipped it (two racing revocations record one event).
 */
export async function revokeGrantWithin(
  stores: Stores,
  actor: Actor,
  grant: Pick<OAuthGrant, 'id' | 'accountId' | 'clientName' | 'userId'>,
  at: Instant,
  reason?: string,
): Promise<boolean> {
  if (!(await stores.oauthGrants.revoke(grant.id, at, actorId(actor)))) return false
  await stores.oauthGrants.announceChange(grant.id)
  await stores.events.append(
    managementEvent(actor, at, {
      accountId: grant.accountId,
      action: 'oauth_grant.revoked',
      targetType: 'oauth_grant',
      targetId: grant.id,
      details: { clientName: grant.clientName, userId: grant.userId, ...(reason ? { reason } : {}) },
    }),
  )
  return true
}

/** This node's cache drops the grants now; the authorization server forgets what it keeps of them. */
export async function afterGrantsRevoked(
  deps: Pick<GrantDeps, 'onGrantChanged' | 'tokenRevoker'>,
  grantIds: readonly string[],
): Promise<void> {
  for (const id of grantIds) deps.onGrantChanged(id)
  for (const id of grantIds) await deps.tokenRevoker?.revokeByGrantId(id).catch(() => {})
}

/**
 * For the authorization server's `onGrantRevoked(grantId)` (a refresh token reused, RFC 7009 revocation of a
 * refresh token, the provider's own grant destroyed): Keyward's grant ends with it, by the system, on every node.
 */
export async function revokeGrantFromProvider(
  deps: Omit<GrantDeps, 'tokenRevoker'>,
  grantId: string,
  reason = 'authorization_server',
): Promise<boolean> {
  const grant = await deps.storage.oauthGrants.findById(grantId)
  if (!grant || grant.revokedAt !== null) return false
  const at = deps.clock()
  const revoked = await deps.storage.transaction((stores) =>
    revokeGrantWithin(stores, { kind: 'operator' }, grant, at, reason),
  )
  deps.onGrantChanged(grantId)
  return revoked
}
