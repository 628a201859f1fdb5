import { requireMember } from '../access.ts'
import type { ActivityReason } from '../activity-reason.ts'
import { forbidden, notFound } from '../errors.ts'
import type { Actor, Instant } from '../model.ts'
import { cursorAfter, parseCursor } from './activity.ts'
import { withGrantLabels } from './activity-grants.ts'
import type { ReadModelDeps } from './deps.ts'
import type { ActivityRowData } from './ports.ts'

/** One request of the account's Agent Activity, with everything recorded about it. */
export async function activityDetail(
  deps: ReadModelDeps,
  actor: Actor,
  input: { accountId: string; activityId: string },
): Promise<ActivityRowData> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  const row = await deps.views.activity.find(input.activityId, input.accountId)
  if (!row || row.accountId !== input.accountId) throw notFound('Request')
  const [labelled] = await withGrantLabels(deps.storage, [row])
  return labelled ?? row
}

export interface OperatorActivityQuery {
  /** One account's rows; without it, every account's. */
  accountId?: string
  /** Only the rows no key was identified for (no key, malformed, bad checksum, unknown): they have no account. */
  unidentified?: boolean
  reason?: ActivityReason
  from?: Instant
  to?: Instant
  limit: number
  before?: string
}

/**
 * Agent Activity as the host's operator sees it (the CLI): across accounts, and the rows that belong to none because
 * no key was identified, which no member can see.
 */
export async function operatorActivity(
  deps: ReadModelDeps,
  actor: Actor,
  input: OperatorActivityQuery,
): Promise<{ rows: ActivityRowData[]; nextBefore: string | null }> {
  if (actor.kind !== 'operator') throw forbidden('Only the operator lists activity across accounts')
  const { accountId, unidentified, limit, before, ...filter } = input
  const rows = await deps.views.activity.search(
    {
      ...filter,
      accountId: unidentified ? null : accountId,
      from: filter.from ?? 0,
      to: filter.to ?? deps.clock(),
    },
    { limit, before: before === undefined ? undefined : parseCursor(before) },
  )
  return { rows: await withGrantLabels(deps.storage, rows), nextBefore: cursorAfter(rows, limit) }
}
