import type { ActivityEntry } from './activity.ts'
import type { AnalyticsStores } from './analytics/ports.ts'
import type { KeyExposure, LeakResponse } from './exposures.ts'
import type { KeyPolicy } from './key-policy.ts'
import type { MailOutcome, QueuedMail } from './mail.ts'
import type {
  Account,
  ApiKey,
  ApiKeyListItem,
  Instant,
  Invitation,
  InvitationRecord,
  KeyAuthRecord,
  KeyControls,
  ManagementEvent,
  Membership,
  NewApiKey,
  Project,
  TeamMember,
  User,
} from './model.ts'
import type { GrantLabel, NewOAuthGrant, OAuthGrant, OAuthGrantListItem } from './oauth-grants.ts'
import type { Plan } from './plans.ts'
import type { Role } from './roles.ts'
import type { ScopeSet } from './scopes.ts'
import type { DeliveryState, WebhookAttempt, WebhookDelivery } from './webhook-delivery.ts'
import type { Webhook } from './webhooks.ts'

export interface AccountStore {
  insert(account: Account): Promise<void>
  findById(id: string): Promise<Account | undefined>
  findBySlug(slug: string): Promise<Account | undefined>
  slugsStartingWith(base: string): Promise<string[]>
  /** Every account, by name: what the host's operator sees. */
  listAll(): Promise<Account[]>
  /** Accounts a user belongs to, with their role there. */
  listForUser(userId: string): Promise<Array<Account & { role: Role }>>
  /** Counts deleted teams too: the demo is not created again on a database whose teams were all deleted. */
  count(): Promise<number>
  /** The Owner who may transfer ownership and delete the team; null if none (their user was deleted). */
  primaryOwnerOf(accountId: string): Promise<string | null>
  /** Makes this user the primary owner only if the team has none (its first Owner). */
  claimPrimaryOwner(accountId: string, userId: string): Promise<void>
  setPrimaryOwner(accountId: string, userId: string): Promise<void>
  /** Tells whether the slug was taken by another team (the unique index decides, so two racing renames cannot both). */
  updateProfile(accountId: string, profile: { name: string; slug: string }): Promise<'updated' | 'slug_taken'>
  /** Soft deletion: every read above skips the team from now on, and its slug is free again. */
  markDeleted(accountId: string, at: Instant): Promise<void>
}

export interface MembershipStore {
  insert(membership: Membership): Promise<void>
  roleOf(accountId: string, userId: string): Promise<Role | undefined>
  listByAccount(accountId: string): Promise<Membership[]>
  find(accountId: string, userId: string): Promise<Membership | undefined>
  /** Members with their user's email and name, oldest first. */
  listWithUsers(accountId: string): Promise<TeamMember[]>
  countByRole(accountId: string, role: Role): Promise<number>
  setRole(accountId: string, userId: string, role: Role): Promise<void>
  /** Tells whether there was such a membership. */
  delete(accountId: string, userId: string): Promise<boolean>
  /** Every membership of a team (its deletion); resolves with how many. */
  deleteAll(accountId: string): Promise<number>
  /**
   * Makes concurrent changes to one account's members wait for this transaction (Postgres: a row lock on the
   * account), so that two Owners demoting each other cannot both pass the "one Owner left" check. SQLite runs one
   * write transaction at a time already.
   */
  lockAccount(accountId: string): Promise<void>
}

export interface InvitationStore {
  insert(invitation: InvitationRecord, tokenHash: string): Promise<void>
  findById(id: string): Promise<InvitationRecord | undefined>
  findByTokenHash(tokenHash: string): Promise<InvitationRecord | undefined>
  /** Neither accepted, revoked nor expired at `at`; newest first, with who sent them. */
  listPending(accountId: string, at: Instant): Promise<Invitation[]>
  /** Ids of the invitations to this email still pending at `at`. */
  pendingIdsFor(accountId: string, email: string, at: Instant): Promise<string[]>
  /** Sets `revoked_at` unless already accepted or revoked; tells whether this call revoked it. */
  revoke(id: string, at: Instant): Promise<boolean>
  /** Marks it accepted only if it is still pending at `at`; tells whether this call did (a token works once). */
  accept(id: string, at: Instant, userId: string): Promise<boolean>
  /**
   * A new token (by its hash) and expiry for an invitation still pending at `at`: the old link stops working. Tells
   * whether it was still pending.
   */
  replaceToken(id: string, tokenHash: string, expiresAt: Instant, at: Instant): Promise<boolean>
}

export interface ProjectStore {
  insert(project: Project): Promise<void>
  findById(id: string): Promise<Project | undefined>
  listByAccount(accountId: string): Promise<Project[]>
  rename(id: string, name: string): Promise<void>
}

export interface KeyStore {
  insert(key: NewApiKey): Promise<void>
  findById(id: string): Promise<ApiKey | undefined>
  /** Every key of an account, newest first; statuses are derived by the caller's clock. */
  listByAccount(
    accountId: string,
    options: { hideRevoked: boolean },
  ): Promise<Omit<ApiKeyListItem, 'status'>[]>
  updateScopes(id: string, scopes: ScopeSet): Promise<void>
  /**
   * Tells every other process, from inside the current transaction, that this key changed: Postgres NOTIFY (delivered
   * on commit, never on rollback), or on SQLite a counter the other processes on the file watch.
   */
  announceChange(id: string): Promise<void>
  /**
   * Makes `keyHash` the key's secret and its current one the previous secret, accepted until `previousValidUntil`
   * (any older previous secret is forgotten); unless revoked. Tells whether it did.
   */
  rotate(
    id: string,
    change: { keyHash: string; prefix: string; at: Instant; previousValidUntil: Instant },
  ): Promise<boolean>
  /** Sets `expires_at` (null: never) unless revoked; tells whether it did. */
  updateExpiry(id: string, expiresAt: Instant | null): Promise<boolean>
  /** Sets `revoked_at` unless already set; tells whether this call revoked it. */
  revoke(id: string, at: Instant, by: string | null): Promise<boolean>
  /** Writes the given per-key controls of a key not revoked. */
  updateControls(id: string, controls: Partial<KeyControls>): Promise<void>
  /** Disables (an instant) or enables (null) a key not revoked; tells whether this call flipped it. */
  setDisabled(id: string, at: Instant | null): Promise<boolean>
  findAuthRecord(keyHash: string): Promise<KeyAuthRecord | undefined>
  /** The keys among these hashes (a leak report's tokens), current or previous secrets, in one query; unknown ones are absent. */
  findByHashes(keyHashes: readonly string[]): Promise<ReportedKey[]>
  /** Sets `exposed_at`/`exposed_url` unless already set (the first report is kept); tells whether this call did. */
  markExposed(id: string, at: Instant, url: string | null): Promise<boolean>
  /** Coalesced last-use times, written in one batch. */
  recordLastUsed(lastUsed: ReadonlyMap<string, Instant>): Promise<void>
}

/** What verifying an access token needs about its grant, read in one indexed query. */
export interface GrantAuthRow {
  grant: Pick<
    OAuthGrant,
    'id' | 'accountId' | 'projectId' | 'userId' | 'clientId' | 'clientName' | 'scopes' | 'revokedAt'
  >
  plan: Plan
  /** The user's current role in the grant's account; null once they left it (or the team was deleted). */
  role: Role | null
  /** The account's policy `mcp_oauth`. */
  mcpOAuth: boolean
}

/** OAuth grants (issue 17): credentials like keys, revoked the same way. */
export interface OAuthGrantStore {
  insert(grant: NewOAuthGrant): Promise<void>
  findById(id: string): Promise<OAuthGrant | undefined>
  /** Every grant of an account, newest first, with its user and project named. */
  listByAccount(accountId: string): Promise<Omit<OAuthGrantListItem, 'status'>[]>
  /** The ids of the grants not revoked of an account, or of one user there. */
  liveIds(accountId: string, userId?: string): Promise<string[]>
  /**
   * Sets `revoked_at`/`revoked_by` unless already set, and deletes the authorization server's rows of the grant
   * (tokens, codes); tells whether this call revoked it.
   */
  revoke(id: string, at: Instant, by: string | null): Promise<boolean>
  /** The same cross-process signal as a key's (`KeyStore.announceChange`): evicts the grant on every node. */
  announceChange(id: string): Promise<void>
  findAuthRecord(id: string): Promise<GrantAuthRow | undefined>
  recordLastUsed(lastUsed: ReadonlyMap<string, Instant>): Promise<void>
  /** The client and user of each of these ids that is a grant; other ids are absent. */
  labels(ids: readonly string[]): Promise<Map<string, GrantLabel>>
}

/** Each account's API key policy; `find` is undefined for an account that never set one. */
export interface KeyPolicyStore {
  find(accountId: string): Promise<KeyPolicy | undefined>
  save(accountId: string, policy: KeyPolicy, at: Instant, by: string | null): Promise<void>
}

export interface EventStore {
  append(event: ManagementEvent): Promise<void>
  listByAccount(accountId: string, limit: number): Promise<ManagementEvent[]>
  /**
   * Deletes events older than `at` (KEYWARD_HISTORY_RETENTION_DAYS); the only delete management history allows.
   * Resolves with how many.
   */
  deleteBefore(at: Instant): Promise<number>
}

/** A line of the audit stream waiting in the outbox; `seq` is the order it was written in. */
export interface AuditOutboxLine {
  seq: number
  line: string
}

/**
 * The audit stream's durable queue (see core/audit-stream.ts). Lines are added by the activity and event stores in
 * the transaction that writes their row; the streamer reads, sends and removes them.
 */
export interface AuditOutboxStore {
  /** The oldest waiting lines, in the order they were written. */
  next(limit: number): Promise<AuditOutboxLine[]>
  /** Removes delivered lines; removing one already gone is not an error (another node may have sent it too). */
  remove(seqs: readonly number[]): Promise<void>
  /**
   * Takes the stream's lease for `holder` until `until`, if it is free, lapsed at `now`, or already the holder's;
   * tells whether the holder has it.
   */
  lease(holder: string, now: Instant, until: Instant): Promise<boolean>
  /** Gives the lease up, if `holder` has it, so that another node takes over at once. */
  release(holder: string): Promise<void>
  /** Lines waiting (for tests and readiness figures). */
  count(): Promise<number>
}

export interface ActivityStore {
  insertMany(rows: readonly ActivityEntry[]): Promise<void>
  deleteBefore(at: Instant): Promise<number>
  listByAccount(accountId: string, options: { limit: number }): Promise<ActivityEntry[]>
}

export interface WebhookStore {
  insert(webhook: Webhook, secret: string): Promise<void>
  findById(id: string): Promise<Webhook | undefined>
  listActive(projectId: string): Promise<Webhook[]>
  deactivate(id: string, at: Instant): Promise<void>
  replaceSecret(id: string, secret: string, at: Instant): Promise<void>
  /** The signing secret, for the delivery worker only. */
  secretOf(id: string): Promise<string | undefined>
}

/** The delivery queue. Several nodes may share it: `claim` is what keeps them from sending the same attempt. */
export interface WebhookDeliveryStore {
  insert(delivery: WebhookDelivery): Promise<void>
  findById(id: string): Promise<WebhookDelivery | undefined>
  /** Pending deliveries whose next attempt is due at `at`, the longest-waiting first. */
  listDue(at: Instant, limit: number): Promise<WebhookDelivery[]>
  /**
   * Moves a pending delivery's `nextAttemptAt` from `from` to `leaseUntil`, only if it still is `from`; tells whether
   * this caller won. Of several nodes that read the same due row, exactly one wins.
   */
  claim(id: string, from: Instant, leaseUntil: Instant): Promise<boolean>
  /**
   * Writes where a delivery goes next (its state, next attempt and end), only while the caller still holds the lease;
   * tells whether it did. The attempt count is not part of it: see `countAttempt`.
   */
  settle(
    id: string,
    lease: Instant,
    outcome: { state: DeliveryState; nextAttemptAt: Instant | null; finishedAt: Instant | null },
  ): Promise<boolean>
  /**
   * Adds one to a delivery's `attempts`, lease or no lease, and returns the new count: the number of the attempt
   * being logged. An attempt that reached the network is counted even if the delivery was cancelled meanwhile.
   */
  countAttempt(id: string): Promise<number>
  /**
   * Ends every pending delivery of a deleted webhook. An attempt in flight loses its lease: it is still counted and
   * logged when it ends, but cannot move the delivery out of `cancelled`.
   */
  cancelPending(webhookId: string, at: Instant): Promise<number>
  insertAttempt(attempt: WebhookAttempt): Promise<void>
  listAttempts(deliveryId: string): Promise<WebhookAttempt[]>
}

/** A key a leak report names, with what decides whether it is live. */
export interface ReportedKey {
  keyHash: string
  id: string
  accountId: string
  expiresAt: Instant | null
  revokedAt: Instant | null
}

/**
 * Leak reports between their acknowledgement and their effect (core/exposures.ts). Several nodes may poll it:
 * `claim` makes one of them act on a report; a claim whose node died lapses at `leaseUntil`.
 */
export interface ExposureStore {
  insert(rows: readonly KeyExposure[]): Promise<void>
  /** Unprocessed reports whose lease is free or lapsed at `at`, the oldest first. */
  listDue(at: Instant, limit: number): Promise<KeyExposure[]>
  /** Moves `leaseUntil` from `from` to `until` (and counts an attempt), only if it still is `from`. */
  claim(id: string, from: Instant, until: Instant): Promise<boolean>
  /** Marks a report processed, only while the caller's lease holds; tells whether it did. */
  complete(id: string, lease: Instant, at: Instant, response: LeakResponse): Promise<boolean>
  listByKey(keyId: string): Promise<KeyExposure[]>
}

/** A key management event waiting to be relayed as webhook deliveries and mails (core/key-events.ts). */
export interface KeyEventOutboxEntry {
  seq: number
  event: ManagementEvent
}

/** What the key notifications need (core/key-events.ts, core/key-lifecycle.ts); written by the event store too. */
export interface NoticeStore {
  /** The oldest waiting key events. */
  nextKeyEvents(limit: number): Promise<KeyEventOutboxEntry[]>
  /** Deletes one; tells whether this caller did. Inside the relay's transaction, this is the claim. */
  takeKeyEvent(seq: number): Promise<boolean>
  /** Keys neither revoked nor without expiry whose expiry lies in (after, before]. */
  keysExpiringBetween(after: Instant, before: Instant): Promise<ApiKey[]>
  /** Records a notice unless recorded already; tells whether this call did (only then is it sent). */
  recordNotice(notice: { keyId: string; kind: string; expiresAt: Instant; at: Instant }): Promise<boolean>
  /** Takes a periodic job's lease for `holder` if free, lapsed at `now` or already the holder's. */
  lease(name: string, holder: string, now: Instant, until: Instant): Promise<boolean>
  release(name: string, holder: string): Promise<void>
}

/** The durable queue of notice emails; several nodes may share it, `claim` decides who sends one. */
export interface MailOutboxStore {
  insert(mail: QueuedMail): Promise<void>
  listDue(at: Instant, limit: number): Promise<QueuedMail[]>
  findById(id: string): Promise<QueuedMail | undefined>
  /** Moves a pending mail's `nextAttemptAt` from `from` to `leaseUntil` if it still is `from`; tells who won. */
  claim(id: string, from: Instant, leaseUntil: Instant): Promise<boolean>
  /** Writes the attempt's outcome while the caller still holds the lease. */
  settle(id: string, lease: Instant, outcome: MailOutcome): Promise<boolean>
}

export interface Stores extends AnalyticsStores {
  accounts: AccountStore
  memberships: MembershipStore
  invitations: InvitationStore
  projects: ProjectStore
  keys: KeyStore
  events: EventStore
  activity: ActivityStore
  webhooks: WebhookStore
  deliveries: WebhookDeliveryStore
  auditOutbox: AuditOutboxStore
  keyPolicies: KeyPolicyStore
  exposures: ExposureStore
  notices: NoticeStore
  mails: MailOutboxStore
  oauthGrants: OAuthGrantStore
}

/** Stores plus a way to run several writes atomically (the change and its event row commit together). */
export interface Storage extends Stores {
  transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T>
}

/** Users, passwords and sessions belong to the identity library; the core only needs these. */
export interface UserDirectory {
  findByEmail(email: string): Promise<User | undefined>
  findById(id: string): Promise<User | undefined>
  createWithPassword(input: { email: string; name: string; password: string }): Promise<User>
}

/**
 * Tells the key cache that another process may have changed keys (for SQLite, `PRAGMA data_version`).
 * Must be cheap: it is asked on every cache hit.
 */
export interface ExternalChangeSignal {
  changedSinceLastCheck(): boolean
}
