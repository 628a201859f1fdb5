import type { Plan } from './plans.ts'
import type { Role } from './roles.ts'
import type { ScopeSet } from './scopes.ts'

/** All instants are milliseconds since the Unix epoch (UTC). */
export type Instant = number

export interface User {
  id: string
  email: string
  name: string
}

export interface Account {
  id: string
  name: string
  slug: string
  plan: Plan
  createdAt: Instant
}

export interface Membership {
  accountId: string
  userId: string
  role: Role
  createdAt: Instant
}

/** A member as the team page lists them. */
export interface TeamMember {
  userId: string
  email: string
  name: string
  role: Role
  createdAt: Instant
}

/** An invitation as stored; its token's hash never leaves the store. */
export interface InvitationRecord {
  id: string
  accountId: string
  /** Trimmed and lowercased. */
  email: string
  role: Role
  invitedBy: string | null
  createdAt: Instant
  expiresAt: Instant
  acceptedAt: Instant | null
  acceptedBy: string | null
  revokedAt: Instant | null
}

/** A pending invitation as the team sees it. */
export interface Invitation {
  id: string
  accountId: string
  email: string
  role: Role
  createdAt: Instant
  expiresAt: Instant
  invitedBy: User | null
}

export interface Project {
  id: string
  accountId: string
  name: string
  createdAt: Instant
}

/** A key as management sees it. The hash is not part of it: it never leaves the store. */
export interface ApiKey {
  id: string
  projectId: string
  accountId: string
  name: string
  prefix: string
  scopes: ScopeSet
  expiresAt: Instant | null
  revokedAt: Instant | null
  revokedBy: string | null
  createdBy: string | null
  createdAt: Instant
  lastUsedAt: Instant | null
  /** When the key was first reported as leaked (GitHub secret scanning, `keyward scan --report`), and where. */
  exposedAt: Instant | null
  exposedUrl: string | null
  /** Per-key controls (see KeyControls); `disabledAt` set: paused, refused like an unknown key. */
  disabledAt: Instant | null
  allowedIps: readonly string[]
  rateLimitPerMinute: number | null
  description: string | null
  tags: readonly string[]
  /** When its secret was last rolled; null if never. */
  rotatedAt: Instant | null
  /** Until when (exclusive) the secret before the last rotation is still accepted; null if there is none. */
  previousKeyValidUntil: Instant | null
}

/** What an admin may fence a key with beyond its scopes (issue #16 §3). */
export interface KeyControls {
  /** Canonical CIDRs; empty: any address. */
  allowedIps: readonly string[]
  /** At or below the plan's limit; null: the plan's. */
  rateLimitPerMinute: number | null
  description: string | null
  tags: readonly string[]
}

export interface NewApiKey
  extends Omit<
      ApiKey,
      | 'accountId'
      | 'revokedAt'
      | 'revokedBy'
      | 'lastUsedAt'
      | 'exposedAt'
      | 'exposedUrl'
      | 'disabledAt'
      | 'rotatedAt'
      | 'previousKeyValidUntil'
      | keyof KeyControls
    >,
    Partial<KeyControls> {
  keyHash: string
}

export type KeyStatus = 'active' | 'expired' | 'revoked' | 'exposed' | 'disabled'

export interface ApiKeyListItem extends ApiKey {
  projectName: string
  status: KeyStatus
  /** During a grace period: the last request made with the previous secret since the rotation, if any. */
  previousSecretLastUsedAt?: Instant | null
}

/** What verification needs about a key, read in one indexed query. */
export interface KeyAuthRecord {
  id: string
  projectId: string
  accountId: string
  plan: Plan
  scopes: ScopeSet
  expiresAt: Instant | null
  revokedAt: Instant | null
  createdAt: Instant
  /** The account's key policy maximum, read with the key: a key older than it is refused as expired. */
  maxLifetimeDays: number | null
  /** Set when a leak report flagged the key: a revoked one is then refused with the reason `exposed`. */
  exposedAt?: Instant | null
  disabledAt: Instant | null
  /** Canonical CIDRs; empty: any address. Compiled once per cached record (core/ip-allowlist.ts). */
  allowedIps: readonly string[]
  /** Null: the plan's limit. */
  rateLimitPerMinute: number | null
  /**
   * Present only when the request's secret is the key's previous one (found by its previous hash): until when
   * (exclusive) that secret is accepted. Cached with the record, so the grace ends on time on every node.
   */
  previousSecretValidUntil?: Instant
  /**
   * Present when the credential is an OAuth grant (issue 17), not a key: `id` is then the grant's id, `scopes` the
   * granted scopes its user's current role still allows, and the pipeline, limiter and activity log treat it as a key.
   */
  grant?: OAuthGrantIdentity
  /**
   * False when the account's policy switched this kind of credential off for MCP (`mcp_keys` for a key, `mcp_oauth`
   * for a grant); read with the record, so a policy change reaches every node through the same notification.
   */
  mcpAllowed?: boolean
}

/** Who an OAuth grant acts for, and through which client: named in its activity rows. */
export interface OAuthGrantIdentity {
  userId: string
  clientId: string
  clientName: string
}

/**
 * Who performs an action: a signed-in user, the operator at the host's CLI, an API key, or Keyward itself acting on
 * a report it received (a system actor, trusted like the operator; built only in-process, never from input).
 */
export type Actor = { kind: 'user'; userId: string } | { kind: 'operator' } | KeyActor | SystemActor

/** The reporters of leaked keys: GitHub's secret scanning partner program, and `keyward scan --report`. */
export const systemActorNames = ['github-secret-scanning', 'keyward-scan'] as const
export type SystemActorName = (typeof systemActorNames)[number]
export type SystemActor = { kind: 'system'; name: SystemActorName }

/** An API key acting on its own project: the actor of every public API route and MCP tool. */
export type KeyActor = { kind: 'key'; key: KeyAuthRecord }

/** How the audit trail names an actor. */
export type EventActor =
  | { kind: 'user'; userId: string }
  | { kind: 'operator' }
  | { kind: 'key'; keyId: string }
  | SystemActor

export const operator: Actor = { kind: 'operator' }

export type ManagementAction =
  | 'account.created'
  | 'member.added'
  | 'member.role_changed'
  | 'member.removed'
  | 'invitation.created'
  | 'invitation.revoked'
  | 'project.created'
  | 'project.renamed'
  | 'key.created'
  | 'key.scopes_changed'
  | 'key.revoked'
  | 'key.exposed'
  | 'key.disabled'
  | 'key.enabled'
  | 'key.controls_changed'
  | 'key.rotated'
  | 'key.expiry_changed'
  | 'webhook.created'
  | 'webhook.deleted'
  | 'webhook.secret_rotated'
  | 'account.key_policy_changed'
  | 'account.renamed'
  | 'account.ownership_transferred'
  | 'account.deleted'
  | 'invitation.link_regenerated'
  | 'oauth_grant.created'
  | 'oauth_grant.revoked'

export interface ManagementEvent {
  id: string
  accountId: string
  actor: EventActor
  action: ManagementAction
  targetType: 'account' | 'member' | 'invitation' | 'project' | 'key' | 'webhook' | 'oauth_grant'
  targetId: string
  details: Record<string, unknown>
  at: Instant
}
