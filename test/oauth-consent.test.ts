import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConsentDeps, checkConsent } from '../src/core/oauth-consent.ts'
import type { Keyward } from '../src/main.ts'
import { teamWithProject, testClock, testKeyward } from './support/keyward.ts'

let keyward: Keyward
let deps: ConsentDeps
let team: Awaited<ReturnType<typeof teamWithProject>>
beforeAll(async () => {
  keyward = await testKeyward({ clock: testClock(1_800_000_000_000) })
  deps = { storage: keyward.storage, grants: keyward.services.grants, clock: keyward.clock }
  team = await teamWithProject(keyward, ['member', 'viewer'])
})
afterAll(async () => keyward?.close())

describe('consent to an MCP client', () => {
  const user = (role: 'owner' | 'member' | 'viewer') => {
    const member = team.members[role]
    if (!member) throw new Error(`no ${role}`)
    return member
  }

  it('keeps the chosen scopes within the role, in catalogue order, without duplicates', async () => {
    const input = {
      projectId: team.project.id,
      scopes: ['webhooks.write', 'visibility.read', 'visibility.read'],
    }
    expect(await checkConsent(deps, user('member'), input)).toEqual({
      accountId: team.account.id,
      projectId: team.project.id,
      role: 'member',
      scopes: ['visibility.read', 'webhooks.write'],
    })
    await expect(checkConsent(deps, user('viewer'), input)).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/^invalid_scope: a viewer cannot grant webhooks\.write/),
    })
  })

  it('refuses no scope, an unknown scope, another team and a missing project', async () => {
    const owner = user('owner')
    const other = await teamWithProject(keyward)
    const cases = [
      [{ projectId: team.project.id, scopes: [] }, 'bad_request'],
      [{ projectId: team.project.id, scopes: ['everything'] }, 'bad_request'],
      [{ projectId: other.project.id, scopes: ['visibility.read'] }, 'forbidden'],
      [{ projectId: 'no-such-project', scopes: ['visibility.read'] }, 'not_found'],
    ] as const
    for (const [input, code] of cases)
      await expect(checkConsent(deps, owner, input)).rejects.toMatchObject({ code })
  })

  it('records the grant row and its History event together', async () => {
    const owner = user('owner')
    const grant = {
      id: 'grant-1',
      projectId: team.project.id,
      userId: owner.userId,
      clientId: 'client-1',
      clientName: 'Claude',
      redirectHost: 'claude.ai',
      scopes: ['tests.read'],
    }
    await deps.grants.record(owner, grant)
    const row = await keyward.database.db.selectFrom('oauth_grants').selectAll().executeTakeFirst()
    expect(row).toMatchObject({
      id: 'grant-1',
      client_name: 'Claude',
      scopes: '["tests.read"]',
      created_at: 1_800_000_000_000,
    })
    const [event] = await keyward.storage.events.listByAccount(team.account.id, 1)
    expect(event).toMatchObject({ action: 'oauth_grant.created', targetId: 'grant-1', at: 1_800_000_000_000 })
    // The same id again (the provider never reuses a grant) is refused, and nothing more is written.
    await expect(deps.grants.record(owner, grant)).rejects.toMatchObject({ code: 'conflict' })
    const events = await keyward.storage.events.listByAccount(team.account.id, 50)
    expect(events.filter((e) => e.targetId === 'grant-1')).toHaveLength(1)
  })
})
