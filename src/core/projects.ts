import { randomUUID } from 'node:crypto'
import { requirePermission } from './access.ts'
import type { Clock } from './clock.ts'
import { notFound } from './errors.ts'
import { managementEvent } from './events.ts'
import type { Actor, Project } from './model.ts'
import type { Storage } from './ports.ts'
import { requireName } from './validation.ts'

export async function createProject(
  deps: { storage: Storage; clock: Clock },
  actor: Actor,
  input: { accountId: string; name: string },
): Promise<Project> {
  const name = requireName(input.name, 'Project')
  if (!(await deps.storage.accounts.findById(input.accountId))) throw notFound('Account')
  await requirePermission(deps.storage.memberships, actor, input.accountId, 'settings.manage', 'Account')

  return deps.storage.transaction(async (stores) => {
    const project: Project = { id: randomUUID(), accountId: input.accountId, name, createdAt: deps.clock() }
    await stores.projects.insert(project)
    await stores.events.append(
      managementEvent(actor, project.createdAt, {
        accountId: project.accountId,
        action: 'project.created',
        targetType: 'project',
        targetId: project.id,
        details: { name },
      }),
    )
    return project
  })
}
