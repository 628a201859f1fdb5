import { randomUUID } from 'node:crypto'
import { actorId, requireMember, requirePermission } from './access.ts'
import { keyPolicyOf } from './account-key-policy.ts'
import type { Clock } from './clock.ts'
import { badRequest, notFound } from './errors.ts'
import { managementEvent } from './events.ts'
import { expiresAtFor } from './expiration.ts'
import { controlsChosen, controlsForNewKey, type KeyControlsInput } from './key-controls.ts'
import { hashKey, type KeyFormat } from './key-format.ts'
import { checkKeyLifetime, defaultScopesFor, keyStatusUnderPolicy } from './key-policy.ts'
import type { Actor, ApiKey, ApiKeyListItem } from './model.ts'
import type { Storage, Stores } from './ports.ts'
import { normalizeScopes } from './scopes.ts'
import { requireName } from './validation.ts'

export interface KeyDeps {
  storage: Storage
  clock: Clock
  keyFormat: KeyFormat
  /** Called after a change to a key commits and before the use-case returns: the verifier evicts it here. */
  onKeyChanged(keyId: string): void
}

export interface CreateKeyInput {
  projectId: string
  /** When the caller works within an account (the dashboard): a project of any other account is not found. */
  accountId?: string
  name: string
  /** `null`: all scopes (full access). Omitted: the account key policy's default preset. */
  scopes?: readonly string[] | null
  expires?: string
  /** Optional IP allowlist, rate limit, description and tags (core/key-controls.ts). */
  controls?: KeyControlsInput
}

/** The only moment the raw key exists outside the caller's hands. */
export interface CreatedKey extends ApiKey {
  key: string
}

export async function createKey(deps: KeyDeps, actor: Actor, input: CreateKeyInput): Promise<CreatedKey> {
  const name = requireName(input.name, 'Key')
  const requestedScopes = input.scopes === undefined ? undefined : normalizeScopes(input.scopes)
  const project = await deps.storage.projects.findById(input.projectId)
  if (!project || (input.accountId !== undefined && input.accountId !== project.accountId))
    throw notFound('Project')
  await requirePermission(deps.storage.memberships, actor, project.accountId, 'settings.manage', 'Project')
  const createdAt = deps.clock()
  const expiresAt = expiresAtFor(input.expires ?? 'never', createdAt)
  const policy = await keyPolicyOf(deps.storage, project.accountId)
  checkKeyLifetime(policy, createdAt, expiresAt)
  const scopes = requestedScopes === undefined ? defaultScopesFor(policy) : requestedScopes
  const controls = await controlsForNewKey(deps, project.accountId, input.controls)

  const key = deps.keyFormat.generate()
  const record = {
    id: randomUUID(),
    projectId: project.id,
    name,
    prefix: deps.keyFormat.displayPrefix(key),
    scopes,
    expiresAt,
    createdBy: actorId(actor),
    createdAt,
    ...controls,
  }
  await deps.storage.transaction(async (stores) => {
    await stores.keys.insert({ ...record, keyHash: hashKey(key) })
    await stores.events.append(
      managementEvent(actor, createdAt, {
        accountId: project.accountId,
        action: 'key.created',
        targetType: 'key',
        targetId: record.id,
        details: {
          name,
          projectId: project.id,
          scopes,
          expiresAt,
          ...controlsChosen(input.controls, controls),
        },
      }),
    )
  })
  return {
    ...record,
    key,
    accountId: project.accountId,
    revokedAt: null,
    revokedBy: null,
    lastUsedAt: null,
    exposedAt: null,
    exposedUrl: null,
    disabledAt: null,
    rotatedAt: null,
    previousKeyValidUntil: null,
  }
}

export async function listKeys(
  deps: Pick<KeyDeps, 'storage' | 'clock'>,
  actor: Actor,
  input: { accountId: string; hideRevoked?: boolean },
): Promise<ApiKeyListItem[]> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  const rows = await deps.storage.keys.listByAccount(input.accountId, {
    hideRevoked: input.hideRevoked ?? false,
  })
  const now = deps.clock()
  const { maxLifetimeDays } = await keyPolicyOf(deps.storage, input.accountId)
  return rows.map((row) => ({ ...row, status: keyStatusUnderPolicy(row, maxLifetimeDays, now) }))
}

/** Loads a key for a management change; members of other accounts cannot tell it exists. */
export async function keyForChange(deps: KeyDeps, actor: Actor, keyId: string): Promise<ApiKey> {
  const key = await deps.storage.keys.findById(keyId)
  if (!key) throw notFound('Key')
  await requirePermission(deps.storage.memberships, actor, key.accountId, 'settings.manage', 'Key')
  return key
}

export async function updateKeyScopes(
  deps: KeyDeps,
  actor: Actor,
  input: { keyId: string; scopes: readonly string[] | null },
): Promise<ApiKey> {
  const scopes = normalizeScopes(input.scopes)
  const key = await keyForChange(deps, actor, input.keyId)
  if (key.revokedAt !== null) throw badRequest('A revoked key cannot be changed')
  const at = deps.clock()
  await deps.storage.transaction(async (stores) => {
    await stores.keys.updateScopes(key.id, scopes)
    await stores.keys.announceChange(key.id)
    await stores.events.append(
      managementEvent(actor, at, {
        accountId: key.accountId,
        action: 'key.scopes_changed',
        targetType: 'key',
        targetId: key.id,
        details: { from: key.scopes, to: scopes },
      }),
    )
  })
  deps.onKeyChanged(key.id)
  return { ...key, scopes }
}

/** Soft revocation, idempotent: revoking a revoked key changes nothing and records nothing. */
export async function revokeKey(deps: KeyDeps, actor: Actor, input: { keyId: string }): Promise<ApiKey> {
  const key = await keyForChange(deps, actor, input.keyId)
  if (key.revokedAt !== null) return key
  const revokedAt = deps.clock()
  const revokedBy = actorId(actor)
  await deps.storage.transaction((stores) => revokeWithin(stores, actor, key, revokedAt))
  deps.onKeyChanged(key.id)
  return { ...key, revokedAt, revokedBy }
}

/**
 * The revocation itself, inside the caller's transaction: the row, the cross-node change signal and the History
 * event. Only the revocation that actually flips the row is recorded, even if two race; tells whether this one did.
 * `reason` (e.g. `exposed` for a leak report) goes into the event's details.
 */
export async function revokeWithin(
  stores: Stores,
  actor: Actor,
  key: Pick<ApiKey, 'id' | 'accountId'>,
  at: number,
  reason?: string,
): Promise<boolean> {
  if (!(await stores.keys.revoke(key.id, at, actorId(actor)))) return false
  await stores.keys.announceChange(key.id)
  await stores.events.append(
    managementEvent(actor, at, {
      accountId: key.accountId,
      action: 'key.revoked',
      targetType: 'key',
      targetId: key.id,
      ...(reason ? { details: { reason } } : {}),
    }),
  )
  return true
}
