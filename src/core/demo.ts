import { randomBytes } from 'node:crypto'
import { operator } from './model.ts'
import type { Storage, UserDirectory } from './ports.ts'
import type { Services } from './services.ts'

export const demoAccountName = 'DevTune Demo'
export const demoOwnerEmail = 'owner@demo.keyward.test'
const demoAccountSlug = 'devtune-demo'
const demoProjectNames = ['Marketing site', 'Developer docs']

export interface DemoFacts {
  accountId: string
  /** The password is shown only when this call created the owner. */
  owner: { email: string; password: string | null }
  projects: Array<{ id: string; name: string }>
  /** The raw key is shown only when this call created it. */
  key: { id: string; key: string } | null
  created: boolean
}

/** A realistic demo team; running it again finds the existing one and changes nothing. */
export async function ensureDemo(deps: {
  services: Services
  storage: Storage
  users: UserDirectory
}): Promise<DemoFacts> {
  const projectsOf = async (accountId: string) =>
    (await deps.storage.projects.listByAccount(accountId)).map(({ id, name }) => ({ id, name }))
  const existing = await deps.storage.accounts.findBySlug(demoAccountSlug)
  if (existing) {
    const projects = await projectsOf(existing.id)
    return {
      accountId: existing.id,
      owner: { email: demoOwnerEmail, password: null },
      projects,
      key: null,
      created: false,
    }
  }

  const password = randomBytes(15).toString('base64url')
  const owner =
    (await deps.users.findByEmail(demoOwnerEmail)) ??
    (await deps.users.createWithPassword({ email: demoOwnerEmail, name: 'Demo Owner', password }))
  const actor = { kind: 'user', userId: owner.id } as const
  const account = await deps.services.accounts.create(operator, {
    name: demoAccountName,
    plan: 'pro',
    ownerUserId: owner.id,
  })
  const projects = []
  for (const name of demoProjectNames)
    projects.push(await deps.services.projects.create(actor, { accountId: account.id, name }))
  const [first] = projects
  if (!first) throw new Error('demo has no project')
  const key = await deps.services.keys.create(actor, { projectId: first.id, name: 'Demo full-access key' })
  return {
    accountId: account.id,
    owner: { email: demoOwnerEmail, password },
    projects: await projectsOf(account.id),
    key: { id: key.id, key: key.key },
    created: true,
  }
}
