import type { Clock } from './clock.ts'
import { listKeys } from './keys.ts'
import type { Actor, ApiKeyListItem, Instant } from './model.ts'
import type { Storage } from './ports.ts'

const day = 86_400_000

/** The dashboard's warnings: the same windows as the notices the lifecycle job sends. */
export const noticeWindows = { expiringWithinDays: 7, unusedForDays: 30 } as const

/**
 * A key as a banner names it. `previousKeyValidUntil` comes with rotation (issue 15 §1): a key list without it
 * simply has no key in a grace period.
 */
export interface NoticeKey {
  id: string
  name: string
  prefix: string
  projectId: string
  projectName: string
  expiresAt: Instant | null
  previousKeyValidUntil: Instant | null
  lastUsedAt: Instant | null
}

export interface KeyNotices {
  /** Active keys that expire within 7 days, soonest first. */
  expiringSoon: NoticeKey[]
  /** Rotated keys whose previous secret still works, the grace ending soonest first. */
  inGrace: NoticeKey[]
  /** Active keys not used for 30 days (never used and older than 30 days included), longest unused first. */
  unused: NoticeKey[]
}

type ListedKey = ApiKeyListItem & { previousKeyValidUntil?: Instant | null }

const noticeKey = (key: ListedKey): NoticeKey => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  projectId: key.projectId,
  projectName: key.projectName,
  expiresAt: key.expiresAt,
  previousKeyValidUntil: key.previousKeyValidUntil ?? null,
  lastUsedAt: key.lastUsedAt,
})

/** Sorts the keys in the banners' dashboard order from what the account's key list holds at `now`. */
export function keyNoticesAt(keys: readonly ListedKey[], now: Instant): KeyNotices {
  const active = keys.filter((k) => k.status === 'active')
  const unusedSince = (k: ListedKey) => k.lastUsedAt ?? k.createdAt
  return {
    expiringSoon: active
      .filter((k) => k.expiresAt !== null && k.expiresAt - now <= noticeWindows.expiringWithinDays * day)
      .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0))
      .map(noticeKey),
    inGrace: active
      .filter((k) => typeof k.previousKeyValidUntil === 'number' && k.previousKeyValidUntil > now)
      .sort((a, b) => (a.previousKeyValidUntil ?? 0) - (b.previousKeyValidUntil ?? 0))
      .map(noticeKey),
    unused: active
      .filter((k) => now - unusedSince(k) >= noticeWindows.unusedForDays * day)
      .sort((a, b) => unusedSince(a) - unusedSince(b))
      .map(noticeKey),
  }
}

/** What the API Keys and Home banners show; any member of the account may see it. */
export async function keyNotices(
  deps: { storage: Storage; clock: Clock },
  actor: Actor,
  input: { accountId: string },
): Promise<KeyNotices> {
  const keys = await listKeys(deps, actor, { accountId: input.accountId, hideRevoked: true })
  return keyNoticesAt(keys, deps.clock())
}
