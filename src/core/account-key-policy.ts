import { actorId, requireMember, requirePermission } from './access.ts'
import { notFound } from './errors.ts'
import { managementEvent } from './events.ts'
import {
  applyKeyPolicyChange,
  defaultKeyPolicy,
  type KeyPolicy,
  type KeyPolicyChange,
  keyStatusUnderPolicy,
  type LeakResponse,
} from './key-policy.ts'
import type { KeyDeps } from './keys.ts'
import type { Actor, ApiKeyListItem } from './model.ts'
import type { Stores } from './ports.ts'

/** The account's policy, or the default one when it never set any. */
export async function keyPolicyOf(
  stores: Pick<Stores, 'keyPolicies'>,
  accountId: string,
): Promise<KeyPolicy> {
  return (await stores.keyPolicies.find(accountId)) ?? defaultKeyPolicy
}

/**
 * What a leak report does to a key of this account ('revoke' or 'notify'), for the secret-scanning handler. No
 * actor: the handler acts on a verified report from the scanning partner, not on a member's behalf.
 */
export async function leakResponseFor(
  stores: Pick<Stores, 'keyPolicies'>,
  accountId: string,
): Promise<LeakResponse> {
  return (await keyPolicyOf(stores, accountId)).leakResponse
}

/** Any member may read the policy: the create dialog follows it, and non-Owners see it read-only. */
export async function getKeyPolicy(
  deps: Pick<KeyDeps, 'storage'>,
  actor: Actor,
  input: { accountId: string },
): Promise<KeyPolicy> {
  await requireAccountMember(deps, actor, input.accountId)
  return keyPolicyOf(deps.storage, input.accountId)
}

/**
 * The keys a proposed policy would stop at once: live today, and older than its maximum lifetime. Fields not given
 * keep their current value. Validated exactly as the change itself would be.
 */
export async function previewKeyPolicy(
  deps: Pick<KeyDeps, 'storage' | 'clock'>,
  actor: Actor,
  input: { accountId: string; change: KeyPolicyChange },
): Promise<{ policy: KeyPolicy; affected: ApiKeyListItem[] }> {
  await requireAccountMember(deps, actor, input.accountId)
  const current = await keyPolicyOf(deps.storage, input.accountId)
  const policy = applyKeyPolicyChange(current, input.change)
  const now = deps.clock()
  const keys = await deps.storage.keys.listByAccount(input.accountId, { hideRevoked: true })
  const affected = keys
    .map((key) => ({ ...key, status: keyStatusUnderPolicy(key, current.maxLifetimeDays, now) }))
    .filter(
      (key) =>
        key.status === 'active' && keyStatusUnderPolicy(key, policy.maxLifetimeDays, now) === 'expired',
    )
  return { policy, affected }
}

/**
 * Owners only (`roles.manage`). The change and its history row commit together; when the maximum lifetime or the
 * MCP switch for keys moves, every live key of the account is announced as changed in the same transaction (Postgres
 * NOTIFY, the SQLite counter) and evicted here after it, because each node's cached key record carries what it was
 * read with; when the MCP switch for OAuth moves, every live grant is, for the same reason.
 */
export async function updateKeyPolicy(
  deps: KeyDeps & { onGrantChanged?(grantId: string): void },
  actor: Actor,
  input: { accountId: string; change: KeyPolicyChange },
): Promise<KeyPolicy> {
  const account = await deps.storage.accounts.findById(input.accountId)
  if (!account) throw notFound('Account')
  await requirePermission(deps.storage.memberships, actor, account.id, 'roles.manage', 'Account')
  const current = await keyPolicyOf(deps.storage, account.id)
  const next = applyKeyPolicyChange(current, input.change)
  if (samePolicy(current, next)) return current
  const at = deps.clock()
  const announced: string[] = []
  const grantsAnnounced: string[] = []
  await deps.storage.transaction(async (stores) => {
    await stores.keyPolicies.save(account.id, next, at, actorId(actor))
    // Each node's grant records carry `mcp_oauth` as read: the grants are announced as their keys are.
    if (next.mcpOAuth !== current.mcpOAuth) {
      for (const grantId of await stores.oauthGrants.liveIds(account.id)) {
        await stores.oauthGrants.announceChange(grantId)
        grantsAnnounced.push(grantId)
      }
    }
    if (next.maxLifetimeDays !== current.maxLifetimeDays || next.mcpKeys !== current.mcpKeys) {
      for (const key of await stores.keys.listByAccount(account.id, { hideRevoked: true })) {
        await stores.keys.announceChange(key.id)
        announced.push(key.id)
      }
    }
    await stores.events.append(
      managementEvent(actor, at, {
        accountId: account.id,
        action: 'account.key_policy_changed',
        targetType: 'account',
        targetId: account.id,
        details: { from: current, to: next },
      }),
    )
  })
  for (const keyId of announced) deps.onKeyChanged(keyId)
  for (const grantId of grantsAnnounced) deps.onGrantChanged?.(grantId)
  return next
}

const samePolicy = (a: KeyPolicy, b: KeyPolicy) =>
  a.mcpKeys === b.mcpKeys &&
  a.mcpOAuth === b.mcpOAuth &&
  a.requireExpiry === b.requireExpiry &&
  a.maxLifetimeDays === b.maxLifetimeDays &&
  a.defaultScopes === b.defaultScopes &&
  a.leakResponse === b.leakResponse

async function requireAccountMember(deps: Pick<KeyDeps, 'storage'>, actor: Actor, accountId: string) {
  await requireMember(deps.storage.memberships, actor, accountId, 'Account')
  // The operator passes every membership check: the account must still exist.
  if (actor.kind === 'operator' && !(await deps.storage.accounts.findById(accountId)))
    throw notFound('Account')
}
