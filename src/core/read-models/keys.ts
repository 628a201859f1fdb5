import { requireMember } from '../access.ts'
import { notFound } from '../errors.ts'
import { keyStatus } from '../key-status.ts'
import type { Actor, ApiKeyListItem } from '../model.ts'
import type { ReadModelDeps } from './deps.ts'
import { type HistoryEntry, labelEvents } from './history.ts'
import type { KeyPageQuery } from './ports.ts'

export interface KeyPageInput extends Omit<KeyPageQuery, 'offset' | 'limit' | 'now'> {
  page: number
  pageSize: number
}

/** One page of the API Keys table: every key of the account, sorted and paged in the database. */
export async function listKeyPage(
  deps: ReadModelDeps,
  actor: Actor,
  input: KeyPageInput,
): Promise<{ rows: ApiKeyListItem[]; total: number }> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  if (input.projectId) {
    const project = await deps.storage.projects.findById(input.projectId)
    if (project?.accountId !== input.accountId) throw notFound('Project')
  }
  const now = deps.clock()
  const { page, pageSize, ...query } = input
  const { rows, total } = await deps.views.keys.page({
    ...query,
    offset: (page - 1) * pageSize,
    limit: pageSize,
    now,
  })
  const listed = rows.map((row) => ({ ...row, status: keyStatus(row, now) }))
  return { rows: await withPreviousSecretUse(deps, input.accountId, listed, now), total }
}

/** Keys in a rotation grace period learn whether their previous secret is still in use ("still used with…"). */
async function withPreviousSecretUse(
  deps: ReadModelDeps,
  accountId: string,
  rows: ApiKeyListItem[],
  now: number,
): Promise<ApiKeyListItem[]> {
  const inGrace = rows.filter((row) => row.status === 'active' && (row.previousKeyValidUntil ?? 0) > now)
  if (inGrace.length === 0) return rows
  const lastUse = await deps.views.keys.previousSecretLastUse(
    accountId,
    inGrace.map((row) => row.id),
  )
  return rows.map((row) =>
    inGrace.includes(row) ? { ...row, previousSecretLastUsedAt: lastUse.get(row.id) ?? null } : row,
  )
}

/** One key as the table shows it, for any member of its account. */
export async function keyRow(
  deps: ReadModelDeps,
  actor: Actor,
  input: { keyId: string },
): Promise<ApiKeyListItem> {
  const key = await deps.storage.keys.findById(input.keyId)
  if (!key) throw notFound('Key')
  await requireMember(deps.storage.memberships, actor, key.accountId, 'Key')
  const project = await deps.storage.projects.findById(key.projectId)
  const now = deps.clock()
  const row = { ...key, projectName: project?.name ?? '', status: keyStatus(key, now) }
  const [withUse] = await withPreviousSecretUse(deps, key.accountId, [row], now)
  return withUse ?? row
}

/** A key's details drawer: its fields and its management history. */
export async function keyDetails(
  deps: ReadModelDeps,
  actor: Actor,
  input: { keyId: string },
): Promise<{ key: ApiKeyListItem; history: HistoryEntry[] }> {
  const key = await keyRow(deps, actor, input)
  const events = await deps.views.history.list({
    accountId: key.accountId,
    targetType: 'key',
    targetId: key.id,
    limit: 100,
  })
  return { key, history: await labelEvents(deps.views.history, events) }
}
