import { randomUUID } from 'node:crypto'
import type { Actor, ManagementEvent } from './model.ts'

export function managementEvent(
  actor: Actor,
  at: number,
  fields: Pick<ManagementEvent, 'accountId' | 'action' | 'targetType' | 'targetId'> & {
    details?: Record<string, unknown>
  },
): ManagementEvent {
  return { id: randomUUID(), actor, at, details: {}, ...fields }
}
