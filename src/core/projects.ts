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

export async function renameProject(
  deps: { storage: Storage; clock: Clock },
  actor: Actor,
  input: { projectId: string; name: string },
): Promise<Project> {
  const project = await deps.storage.projects.findById(input.projectId)
  if (!project) throw notFound('Project')
  await requirePermission(deps.storage.memberships, actor, project.accountId, 'settings.manage', 'Project')
  const name = requireName(input.name, 'Project')
  if (name === project.name) return project

  return deps.storage.transaction(async (stores) => {
    await stores.projects.rename(project.id, name)
    await stores.events.append(
      managementEvent(actor, deps.clock(), {
        accountId: project.accountId,
        action: 'project.renamed',
        targetType: 'project',
        targetId: project.id,
        details: { from: project.name, to: name },
      }),
    )
    return { ...project, name }
  })
}
