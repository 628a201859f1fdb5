import { randomUUID } from 'node:crypto'
import { requirePermission } from './access.ts'
import type { Clock } from './clock.ts'
import { badRequest, notFound } from './errors.ts'
import { managementEvent } from './events.ts'
import type { Account, Actor, Membership } from './model.ts'
import { isPlan, type Plan } from './plans.ts'
import type { Storage, Stores, UserDirectory } from './ports.ts'
import { isRole, type Role } from './roles.ts'
import { requireName, slugify } from './validation.ts'

export interface AccountDeps {
  storage: Storage
  users: UserDirectory
  clock: Clock
}

export interface CreateAccountInput {
  name: string
  plan?: string
  /** Only the operator may name another owner; a signed-in user always becomes the owner. */
  ownerUserId?: string
}

export function validateAccountInput(input: { name: string; plan?: string }): { name: string; plan: Plan } {
  const name = requireName(input.name, 'Account')
  const plan = input.plan ?? 'pro'
  if (!isPlan(plan)) throw badRequest(`Invalid plan: ${plan} (use free, plus, pro or enterprise)`)
  return { name, plan }
}

export async function createAccount(
  deps: AccountDeps,
  actor: Actor,
  input: CreateAccountInput,
): Promise<Account> {
  const { name, plan } = validateAccountInput(input)
  const ownerUserId = actor.kind === 'user' ? actor.userId : input.ownerUserId
  if (ownerUserId && !(await deps.users.findById(ownerUserId))) throw notFound('User')

  return deps.storage.transaction(async (stores) => {
    const now = deps.clock()
    const base = slugify(name) || 'team'
    const slug = uniqueSlug(base, await stores.accounts.slugsStartingWith(base))
    const account: Account = { id: randomUUID(), name, slug, plan, createdAt: now }
    await stores.accounts.insert(account)
    await stores.events.append(
      managementEvent(actor, now, {
        accountId: account.id,
        action: 'account.created',
        targetType: 'account',
        targetId: account.id,
        details: { name, plan },
      }),
    )
    if (ownerUserId) {
      await insertMember(stores, actor, {
        accountId: account.id,
        userId: ownerUserId,
        role: 'owner',
        createdAt: now,
      })
    }
    return account
  })
}

function uniqueSlug(base: string, taken: readonly string[]): string {
  const used = new Set(taken)
  if (!used.has(base)) return base
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`
}

export async function addMember(
  deps: AccountDeps,
  actor: Actor,
  input: { accountId: string; userId: string; role: string },
): Promise<Membership> {
  if (!isRole(input.role)) throw badRequest(`Invalid role: ${input.role} (use owner, member or viewer)`)
  const role: Role = input.role
  if (!(await deps.storage.accounts.findById(input.accountId))) throw notFound('Account')
  await requirePermission(deps.storage.memberships, actor, input.accountId, 'members.manage', 'Account')
  if (!(await deps.users.findById(input.userId))) throw notFound('User')

  return deps.storage.transaction(async (stores) => {
    if (await stores.memberships.roleOf(input.accountId, input.userId))
      throw badRequest('User is already a member')
    const membership: Membership = {
      accountId: input.accountId,
      userId: input.userId,
      role,
      createdAt: deps.clock(),
    }
    await insertMember(stores, actor, membership)
    return membership
  })
}

/** A new membership and its `member.added` event, in the caller's transaction. */
export async function insertMember(
  stores: Stores,
  actor: Actor,
  membership: Membership,
  details: Record<string, unknown> = {},
): Promise<void> {
  await stores.memberships.insert(membership)
  // A team's first Owner becomes its primary owner, who alone may transfer ownership and delete it.
  if (membership.role === 'owner')
    await stores.accounts.claimPrimaryOwner(membership.accountId, membership.userId)
  await stores.events.append(
    managementEvent(actor, membership.createdAt, {
      accountId: membership.accountId,
      action: 'member.added',
      targetType: 'member',
      targetId: membership.userId,
      details: { role: membership.role, ...details },
    }),
  )
}
