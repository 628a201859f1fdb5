import { actorId, requirePermission } from './access.ts'
import { badRequest, notFound } from './errors.ts'
import { managementEvent } from './events.ts'
import { normalizeAllowlist } from './ip-allowlist.ts'
import type { KeyDeps } from './keys.ts'
import type { Actor, ApiKey, KeyControls } from './model.ts'
import { type Plan, rateLimitPerMinute } from './plans.ts'

export const maxDescriptionLength = 500
export const maxTags = 10
export const maxTagLength = 32
const tagPattern = /^[a-z0-9][a-z0-9_.:-]*$/

/** What create and update accept; each omitted field keeps its value (on create: none). */
export interface KeyControlsInput {
  allowedIps?: readonly string[] | null
  /** null: back to the plan's limit. */
  rateLimitPerMinute?: number | null
  description?: string | null
  tags?: readonly string[] | null
}

export function normalizeDescription(value: string | null | undefined): string | null {
  const text = (value ?? '').trim()
  if (text.length > maxDescriptionLength)
    throw badRequest(`A key's description must be at most ${maxDescriptionLength} characters`)
  return text === '' ? null : text
}

/** Lowercased, deduplicated, in the order given: `ci`, `team:payments`, `v2.1`. */
export function normalizeTags(values: readonly string[] | null | undefined): string[] {
  const tags: string[] = []
  for (const value of values ?? []) {
    const tag = String(value).trim().toLowerCase()
    if (tag === '') continue
    if (tag.length > maxTagLength || !tagPattern.test(tag))
      throw badRequest(
        `A tag is 1–${maxTagLength} letters, digits and - _ . : starting with a letter or digit: ${tag.slice(0, 40)}`,
      )
    if (!tags.includes(tag)) tags.push(tag)
  }
  if (tags.length > maxTags) throw badRequest(`A key has at most ${maxTags} tags`)
  return tags
}

/** A per-key limit may lower the plan's, never raise it. */
export function normalizeRateLimit(value: number | null | undefined, plan: Plan): number | null {
  if (value === null || value === undefined) return null
  const planLimit = rateLimitPerMinute[plan]
  if (planLimit === 0) throw badRequest("This account's plan has no API access to limit")
  if (!Number.isInteger(value) || value < 1 || value > planLimit)
    throw badRequest(`The rate limit must be a whole number from 1 to the plan's ${planLimit} per minute`)
  return value
}

/** Every field of the input, validated against the account's plan; the fields not given are left out. */
export function normalizeControls(input: KeyControlsInput, plan: Plan): Partial<KeyControls> {
  const out: Partial<KeyControls> = {}
  if (input.allowedIps !== undefined) out.allowedIps = normalizeAllowlist(input.allowedIps)
  if (input.rateLimitPerMinute !== undefined)
    out.rateLimitPerMinute = normalizeRateLimit(input.rateLimitPerMinute, plan)
  if (input.description !== undefined) out.description = normalizeDescription(input.description)
  if (input.tags !== undefined) out.tags = normalizeTags(input.tags)
  return out
}

async function keyToManage(deps: KeyDeps, actor: Actor, keyId: string): Promise<ApiKey> {
  const key = await deps.storage.keys.findById(keyId)
  if (!key) throw notFound('Key')
  await requirePermission(deps.storage.memberships, actor, key.accountId, 'settings.manage', 'Key')
  if (key.revokedAt !== null) throw badRequest('A revoked key cannot be changed')
  return key
}

async function planOf(deps: Pick<KeyDeps, 'storage'>, accountId: string): Promise<Plan> {
  const account = await deps.storage.accounts.findById(accountId)
  if (!account) throw notFound('Account')
  return account.plan
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/**
 * Changes a key's IP allowlist, rate limit, description or tags. Only the fields that change are written and recorded
 * (`key.controls_changed` {field: {from, to}}); every node re-reads the key as after a scope change.
 */
export async function updateKeyControls(
  deps: KeyDeps,
  actor: Actor,
  input: KeyControlsInput & { keyId: string },
): Promise<ApiKey> {
  const key = await keyToManage(deps, actor, input.keyId)
  const wanted = normalizeControls(input, await planOf(deps, key.accountId))
  const changes: Partial<KeyControls> = {}
  const details: Record<string, { from: unknown; to: unknown }> = {}
  for (const field of Object.keys(wanted) as (keyof KeyControls)[]) {
    if (same(key[field], wanted[field])) continue
    Object.assign(changes, { [field]: wanted[field] })
    details[field] = { from: key[field], to: wanted[field] }
  }
  if (Object.keys(changes).length === 0) return key
  const at = deps.clock()
  await deps.storage.transaction(async (stores) => {
    await stores.keys.updateControls(key.id, changes)
    await stores.keys.announceChange(key.id)
    await stores.events.append(
      managementEvent(actor, at, {
        accountId: key.accountId,
        action: 'key.controls_changed',
        targetType: 'key',
        targetId: key.id,
        details,
      }),
    )
  })
  deps.onKeyChanged(key.id)
  return { ...key, ...changes }
}

/** Pauses (`disabled: true`) or resumes a key; idempotent, and only a change that flips the row is recorded. */
export async function setKeyDisabled(
  deps: KeyDeps,
  actor: Actor,
  input: { keyId: string; disabled: boolean },
): Promise<ApiKey> {
  const key = await keyToManage(deps, actor, input.keyId)
  if ((key.disabledAt !== null) === input.disabled) return key
  const at = deps.clock()
  const disabledAt = input.disabled ? at : null
  let flipped = false
  await deps.storage.transaction(async (stores) => {
    flipped = await stores.keys.setDisabled(key.id, disabledAt)
    if (!flipped) return
    await stores.keys.announceChange(key.id)
    await stores.events.append(
      managementEvent(actor, at, {
        accountId: key.accountId,
        action: input.disabled ? 'key.disabled' : 'key.enabled',
        targetType: 'key',
        targetId: key.id,
      }),
    )
  })
  if (flipped) deps.onKeyChanged(key.id)
  return { ...key, disabledAt }
}

export const maxBulkRevoke = 100

/**
 * Revokes several keys of one account at once. All or nothing: every id must name a key of that account and the
 * actor must manage it, or nothing is revoked. Keys already revoked are left as they are (and not recorded again).
 */
export async function revokeKeys(
  deps: KeyDeps,
  actor: Actor,
  input: { accountId: string; keyIds: readonly string[] },
): Promise<ApiKey[]> {
  const ids = [...new Set(input.keyIds)]
  if (ids.length === 0) throw badRequest('Select at least one key')
  if (ids.length > maxBulkRevoke) throw badRequest(`At most ${maxBulkRevoke} keys at once`)
  await requirePermission(deps.storage.memberships, actor, input.accountId, 'settings.manage', 'Account')
  const keys: ApiKey[] = []
  for (const id of ids) {
    const key = await deps.storage.keys.findById(id)
    if (!key || key.accountId !== input.accountId) throw notFound('Key')
    keys.push(key)
  }
  const revokedAt = deps.clock()
  const revokedBy = actorId(actor)
  const revoked: string[] = []
  await deps.storage.transaction(async (stores) => {
    for (const key of keys) {
      if (key.revokedAt !== null || !(await stores.keys.revoke(key.id, revokedAt, revokedBy))) continue
      revoked.push(key.id)
      await stores.keys.announceChange(key.id)
      await stores.events.append(
        managementEvent(actor, revokedAt, {
          accountId: key.accountId,
          action: 'key.revoked',
          targetType: 'key',
          targetId: key.id,
          details: { bulk: true },
        }),
      )
    }
  })
  for (const id of revoked) deps.onKeyChanged(id)
  return keys.map((key) => (revoked.includes(key.id) ? { ...key, revokedAt, revokedBy } : key))
}

/** A new key's controls, all present (the defaults where not given): the plan is read only for a rate limit. */
export async function controlsForNewKey(
  deps: Pick<KeyDeps, 'storage'>,
  accountId: string,
  input: KeyControlsInput | undefined,
): Promise<KeyControls> {
  const plan = input?.rateLimitPerMinute == null ? 'enterprise' : await planOf(deps, accountId)
  return {
    allowedIps: [],
    rateLimitPerMinute: null,
    description: null,
    tags: [],
    ...normalizeControls(input ?? {}, plan),
  }
}

/** The controls a creator set, for `key.created`'s details: a key created without any records none. */
export function controlsChosen(
  input: KeyControlsInput | undefined,
  controls: KeyControls,
): Partial<KeyControls> {
  const chosen: Partial<KeyControls> = {}
  for (const field of Object.keys(input ?? {}) as (keyof KeyControls)[])
    if (!same(controls[field], emptyControls[field])) Object.assign(chosen, { [field]: controls[field] })
  return chosen
}

const emptyControls: KeyControls = { allowedIps: [], rateLimitPerMinute: null, description: null, tags: [] }
