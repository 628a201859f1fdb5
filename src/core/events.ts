import { randomUUID } from 'node:crypto'
import type { Actor, EventActor, ManagementEvent } from './model.ts'

export function eventActor(actor: Actor): EventActor {
  return actor.kind === 'key' ? { kind: 'key', keyId: actor.key.id } : actor
}

export function managementEvent(
  actor: Actor,
  at: number,
  fields: Pick<ManagementEvent, 'accountId' | 'action' | 'targetType' | 'targetId'> & {
    details?: Record<string, unknown>
  },
): ManagementEvent {
  return { id: randomUUID(), actor: eventActor(actor), at, details: {}, ...fields }
}
