import { randomUUID } from 'node:crypto'
import {
  type Actor,
  type EventActor,
  type ManagementEvent,
  type SystemActorName,
  systemActorNames,
} from './model.ts'

export type { EventActor }

/** The id stored beside an actor's kind: a user's or key's id, a system actor's name, none for the operator. */
export function eventActorId(actor: EventActor): string | null {
  if (actor.kind === 'user') return actor.userId
  if (actor.kind === 'key') return actor.keyId
  if (actor.kind === 'system') return actor.name
  return null
}

export const isSystemActorName = (name: string | null): name is SystemActorName =>
  (systemActorNames as readonly (string | null)[]).includes(name)

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
