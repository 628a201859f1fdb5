import { keyPolicyOf } from './account-key-policy.ts'
import { badRequest } from './errors.ts'
import { managementEvent } from './events.ts'
import { expiresAtFor } from './expiration.ts'
import { graceMsFor } from './grace.ts'
import { hashKey } from './key-format.ts'
import { checkKeyLifetime } from './key-policy.ts'
import { keyStatus } from './key-status.ts'
import { type KeyDeps, keyForChange } from './keys.ts'
import type { Actor, ApiKey } from './model.ts'

/** A rolled key: the same key with its new secret, shown this once. */
export interface RotatedKey extends ApiKey {
  key: string
}

/**
 * Rolls a key's secret and keeps its identity (id, name, project, scopes, expiry, history). The secret it had stays
 * valid for `grace` (`0`: refused at once); a previous secret still in its grace is dropped, so at most two live.
 */
export async function rotateKey(
  deps: KeyDeps,
  actor: Actor,
  input: { keyId: string; grace: string },
): Promise<RotatedKey> {
  const graceMs = graceMsFor(input.grace)
  const key = await keyForChange(deps, actor, input.keyId)
  const at = deps.clock()
  requireActive(key, at, 'rotated')
  // The account key policy counts a key's lifetime from its creation: a roll keeps it, and is refused when it breaks it.
  checkKeyLifetime(await keyPolicyOf(deps.storage, key.accountId), key.createdAt, key.expiresAt)
  const secret = deps.keyFormat.generate()
  const prefix = deps.keyFormat.displayPrefix(secret)
  const previousKeyValidUntil = at + graceMs
  await deps.storage.transaction(async (stores) => {
    const change = { keyHash: hashKey(secret), prefix, at, previousValidUntil: previousKeyValidUntil }
    if (!(await stores.keys.rotate(key.id, change))) throw badRequest('A revoked key cannot be rotated')
    await stores.keys.announceChange(key.id)
    await stores.events.append(
      managementEvent(actor, at, {
        accountId: key.accountId,
        action: 'key.rotated',
        targetType: 'key',
        targetId: key.id,
        details: { graceSeconds: graceMs / 1000, previousKeyValidUntil, prefix },
      }),
    )
  })
  deps.onKeyChanged(key.id)
  return { ...key, prefix, rotatedAt: at, previousKeyValidUntil, key: secret }
}

/**
 * Extends or shortens an active key's expiry (`never`, a preset, a duration or a date, counted from now). Every node
 * re-reads the key, as after a scope change.
 */
export async function updateKeyExpiry(
  deps: KeyDeps,
  actor: Actor,
  input: { keyId: string; expires: string },
): Promise<ApiKey> {
  const at = deps.clock()
  const expiresAt = expiresAtFor(input.expires, at)
  const key = await keyForChange(deps, actor, input.keyId)
  requireActive(key, at, 'changed')
  checkKeyLifetime(await keyPolicyOf(deps.storage, key.accountId), key.createdAt, expiresAt)
  await deps.storage.transaction(async (stores) => {
    if (!(await stores.keys.updateExpiry(key.id, expiresAt)))
      throw badRequest('A revoked key cannot be changed')
    await stores.keys.announceChange(key.id)
    await stores.events.append(
      managementEvent(actor, at, {
        accountId: key.accountId,
        action: 'key.expiry_changed',
        targetType: 'key',
        targetId: key.id,
        details: { from: key.expiresAt, to: expiresAt },
      }),
    )
  })
  deps.onKeyChanged(key.id)
  return { ...key, expiresAt }
}

/** Only an active key is rolled or given a new expiry: an expired one is not brought back this way. */
function requireActive(key: ApiKey, now: number, verb: string): void {
  const status = keyStatus(key, now)
  if (status !== 'active')
    throw badRequest(`A${status === 'expired' ? 'n' : ''} ${status} key cannot be ${verb}`)
}
