import { loadConfig } from '../../src/config.ts'
import { type Actor, operator } from '../../src/core/model.ts'
import type { Role } from '../../src/core/roles.ts'
import { composeKeyward, type Keyward } from '../../src/main.ts'
import { sqliteDatabase, type TestDatabase } from './databases.ts'

export interface TestClock {
  (): number
  set(at: number): void
  advance(ms: number): void
}

export function testClock(start = Date.UTC(2026, 10, 1)): TestClock {
  let now = start
  const clock = (() => now) as TestClock
  clock.set = (at) => {
    now = at
  }
  clock.advance = (ms) => {
    now += ms
  }
  return clock
}

/** A fully composed Keyward on a fresh migrated database, exactly as `keyward serve` builds it. */
export async function testKeyward(
  options: { database?: TestDatabase; clock?: TestClock; env?: Record<string, string> } = {},
): Promise<Keyward> {
  const database = await (options.database ?? sqliteDatabase).open()
  return composeKeyward(loadConfig(options.env ?? {}), { database, clock: options.clock })
}

/** A server on a fresh SQLite file of its own (so with an activity writer thread), closed after `work`. */
export async function withKeywardOnFile(path: string, work: (keyward: Keyward) => Promise<void>) {
  const keyward = await composeKeyward(loadConfig({ DATABASE_URL: path, LOG_LEVEL: 'warn' }))
  try {
    await work(keyward)
  } finally {
    await keyward.close()
  }
}

let userCounter = 0

export async function newUser(keyward: Keyward, name = 'user'): Promise<Actor & { kind: 'user' }> {
  userCounter += 1
  const user = await keyward.users.createWithPassword({
    email: `${name}-${userCounter}-${Date.now()}@example.test`,
    name,
    password: 'correct horse battery staple',
  })
  return { kind: 'user', userId: user.id }
}

/** An account with an owner, one member per extra role, and one project. */
export async function teamWithProject(keyward: Keyward, extraRoles: Role[] = []) {
  const owner = await newUser(keyward, 'owner')
  const account = await keyward.services.accounts.create(owner, { name: 'Team', plan: 'pro' })
  const members: Partial<Record<Role, Actor & { kind: 'user' }>> = { owner }
  for (const role of extraRoles) {
    const user = await newUser(keyward, role)
    await keyward.services.accounts.addMember(operator, { accountId: account.id, userId: user.userId, role })
    members[role] = user
  }
  const project = await keyward.services.projects.create(owner, { accountId: account.id, name: 'Website' })
  return { account, project, owner, members }
}
