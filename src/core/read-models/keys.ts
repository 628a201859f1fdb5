import { requireMember } from '../access.ts'
import { keyPolicyOf } from '../account-key-policy.ts'
import { notFound } from '../errors.ts'
import { keyStatusUnderPolicy, policyActiveSince } from '../key-policy.ts'
import type { Actor, ApiKeyListItem } from '../model.ts'
import type { ReadModelDeps } from './deps.ts'
import { type HistoryEntry, labelEvents } from './history.ts'
import type { KeyPageQuery } from './ports.ts'

/** A row of the API Keys table: the key, plus who created it ("Operator (CLI)" when no user did). */
export type KeyTableRow = ApiKeyListItem & { creator: string }

/** Names the creators of these keys in one query. */
async function withCreators(deps: ReadModelDeps, keys: ApiKeyListItem[]): Promise<KeyTableRow[]> {
  const userIds = [...new Set(keys.flatMap((key) => (key.createdBy ? [key.createdBy] : [])))]
  const labels = await deps.views.history.userLabels(userIds)
  return keys.map((key) => ({
    ...key,
    creator: key.createdBy ? (labels.get(key.createdBy) ?? 'Deleted user') : 'Operator (CLI)',
  }))
}

export interface KeyPageInput extends Omit<KeyPageQuery, 'offset' | 'limit' | 'now'> {
  page: number
  pageSize: number
}

/** One page of the API Keys table: every key of the account, sorted and paged in the database. */
export async function listKeyPage(
  deps: ReadModelDeps,
  actor: Actor,
  input: KeyPageInput,
): Promise<{ rows: KeyTableRow[]; total: number }> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  if (input.projectId) {
    const project = await deps.storage.projects.findById(input.projectId)
    if (project?.accountId !== input.accountId) throw notFound('Project')
  }
  const now = deps.clock()
  const { page, pageSize, ...query } = input
  const { maxLifetimeDays } = await keyPolicyOf(deps.storage, input.accountId)
  const activeSince = policyActiveSince(maxLifetimeDays, now)
  const { rows, total } = await deps.views.keys.page({
    ...query,
    offset: (page - 1) * pageSize,
    limit: pageSize,
    now,
    activeSince,
  })
  const listed = rows.map((row) => ({ ...row, status: keyStatusUnderPolicy(row, maxLifetimeDays, now) }))
  const withUse = await withPreviousSecretUse(deps, input.accountId, listed, now)
  return { rows: await withCreators(deps, withUse), total }
}

/** Keys in a rotation grace period learn whether their previous secret is still in use ("still used with…"). */
async function withPreviousSecretUse<Row extends ApiKeyListItem>(
  deps: ReadModelDeps,
  accountId: string,
  rows: Row[],
  now: number,
): Promise<Row[]> {
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
): Promise<KeyTableRow> {
  const key = await deps.storage.keys.findById(input.keyId)
  if (!key) throw notFound('Key')
  await requireMember(deps.storage.memberships, actor, key.accountId, 'Key')
  const project = await deps.storage.projects.findById(key.projectId)
  const { maxLifetimeDays } = await keyPolicyOf(deps.storage, key.accountId)
  const now = deps.clock()
  const row = {
    ...key,
    projectName: project?.name ?? '',
    status: keyStatusUnderPolicy(key, maxLifetimeDays, now),
  }
  const [withUse] = await withPreviousSecretUse(deps, key.accountId, [row], now)
  const [withCreator] = await withCreators(deps, [withUse ?? row])
  return withCreator as KeyTableRow
}

/** A key's details drawer: its fields and its management history. */
export async function keyDetails(
  deps: ReadModelDeps,
  actor: Actor,
  input: { keyId: string },
): Promise<{ key: KeyTableRow; history: HistoryEntry[] }> {
  const key = await keyRow(deps, actor, input)
  const events = await deps.views.history.list({
    accountId: key.accountId,
    targetType: 'key',
    targetId: key.id,
    limit: 100,
  })
  return { key, history: await labelEvents(deps.views.history, events) }
}
