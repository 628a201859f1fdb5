import { requireMember } from '../access.ts'
import { keyPolicyOf } from '../account-key-policy.ts'
import { notFound } from '../errors.ts'
import { keyStatusUnderPolicy, policyActiveSince } from '../key-policy.ts'
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
  const { maxLifetimeDays } = await keyPolicyOf(deps.storage, input.accountId)
  const activeSince = policyActiveSince(maxLifetimeDays, now)
  const { rows, total } = await deps.views.keys.page({
    ...query,
    offset: (page - 1) * pageSize,
    limit: pageSize,
    now,
    activeSince,
  })
  return {
    rows: rows.map((row) => ({ ...row, status: keyStatusUnderPolicy(row, maxLifetimeDays, now) })),
    total,
  }
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
  const { maxLifetimeDays } = await keyPolicyOf(deps.storage, key.accountId)
  return {
    ...key,
    projectName: project?.name ?? '',
    status: keyStatusUnderPolicy(key, maxLifetimeDays, deps.clock()),
  }
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
