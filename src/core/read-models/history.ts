import { requireMember } from '../access.ts'
import type { Actor, EventActor, ManagementEvent, SystemActorName } from '../model.ts'
import { parseCursor } from './activity.ts'
import type { ReadModelDeps } from './deps.ts'
import type { HistoryLog, HistoryQuery } from './ports.ts'

export interface HistoryEntry extends Omit<ManagementEvent, 'actor' | 'accountId'> {
  actor: { kind: EventActor['kind']; id: string | null; label: string }
}

const systemActorLabels: Record<SystemActorName, string> = {
  'github-secret-scanning': 'GitHub secret scanning',
  'keyward-scan': 'keyward scan --report',
}

/** Names who acted: a user by name and email, the host's CLI as "Operator (CLI)". */
export async function labelEvents(history: HistoryLog, events: ManagementEvent[]): Promise<HistoryEntry[]> {
  const userIds = [...new Set(events.flatMap((e) => (e.actor.kind === 'user' ? [e.actor.userId] : [])))]
  const labels = await history.userLabels(userIds)
  return events.map(({ accountId: _, actor, ...event }) => ({
    ...event,
    actor:
      actor.kind === 'user'
        ? { kind: 'user', id: actor.userId, label: labels.get(actor.userId) ?? 'Deleted user' }
        : actor.kind === 'key'
          ? { kind: 'key', id: actor.keyId, label: 'API key' }
          : actor.kind === 'system'
            ? { kind: 'system', id: actor.name, label: systemActorLabels[actor.name] }
            : { kind: 'operator', id: null, label: 'Operator (CLI)' },
  }))
}

/**
 * Management history of an account (or of one object in it), newest first, a page at a time: `before` is the
 * previous page's `nextBefore`. Any member may read it.
 */
export async function listHistory(
  deps: Pick<ReadModelDeps, 'storage' | 'views'>,
  actor: Actor,
  input: Omit<HistoryQuery, 'before'> & { before?: string },
): Promise<{ events: HistoryEntry[]; nextBefore: string | null }> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  const { before, ...query } = input
  const events = await deps.views.history.list({
    ...query,
    before: before === undefined ? undefined : parseCursor(before),
  })
  const last = events.at(-1)
  const nextBefore = events.length === query.limit && last ? `${last.at}_${last.id}` : null
  return { events: await labelEvents(deps.views.history, events), nextBefore }
}
