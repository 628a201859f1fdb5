import { requireMember } from '../access.ts'
import { keyPolicyOf } from '../account-key-policy.ts'
import { notFound } from '../errors.ts'
import { policyActiveSince } from '../key-policy.ts'
import type { Account, Actor, Project } from '../model.ts'
import type { Role } from '../roles.ts'
import { withGrantLabels } from './activity-grants.ts'
import type { ReadModelDeps } from './deps.ts'
import type { ActivityRowData } from './ports.ts'

export interface AccountOverview {
  account: Account
  role: Role | 'operator'
  projectCount: number
  keyCount: number
  activeKeyCount: number
  recentActivity: ActivityRowData[]
}

/** The Home page: the plan, how much the account holds, and its latest keyed requests. */
export async function accountOverview(
  deps: ReadModelDeps,
  actor: Actor,
  input: { accountId: string },
): Promise<AccountOverview> {
  const role = await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  const account = await deps.storage.accounts.findById(input.accountId)
  if (!account) throw notFound('Account')
  const now = deps.clock()
  const { maxLifetimeDays } = await keyPolicyOf(deps.storage, account.id)
  const activeSince = policyActiveSince(maxLifetimeDays, now)
  const [projects, keys, recentActivity] = await Promise.all([
    deps.storage.projects.listByAccount(account.id),
    deps.views.keys.counts(account.id, now, activeSince),
    deps.views.activity.search({ accountId: account.id, from: 0, to: now }, { limit: 10 }),
  ])
  return {
    account,
    role,
    projectCount: projects.length,
    keyCount: keys.total,
    activeKeyCount: keys.active,
    recentActivity: await withGrantLabels(deps.storage, recentActivity),
  }
}

/** The accounts the signed-in user belongs to, with their role in each (the account switcher). */
export async function listMyAccounts(
  deps: Pick<ReadModelDeps, 'storage'>,
  actor: Actor,
  _input: Record<string, never>,
): Promise<Array<Account & { role: Role }>> {
  return actor.kind === 'user' ? deps.storage.accounts.listForUser(actor.userId) : []
}

/** The Projects page: every project of the account with how many keys it holds (revoked ones aside). */
export async function listProjects(
  deps: ReadModelDeps,
  actor: Actor,
  input: { accountId: string },
): Promise<Array<Project & { keyCount: number }>> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  const [projects, counts] = await Promise.all([
    deps.storage.projects.listByAccount(input.accountId),
    deps.views.keys.countsByProject(input.accountId),
  ])
  return projects.map((p) => ({ ...p, keyCount: counts.get(p.id) ?? 0 }))
}
