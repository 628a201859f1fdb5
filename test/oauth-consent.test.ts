import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConsentDeps, checkConsent, recordConsent } from '../src/core/oauth-consent.ts'
import type { Keyward } from '../src/main.ts'
import { oauthGrantRecorder } from '../src/storage/oauth-consent-store.ts'
import { teamWithProject, testKeyward } from './support/keyward.ts'

let keyward: Keyward
let deps: ConsentDeps
let team: Awaited<ReturnType<typeof teamWithProject>>
beforeAll(async () => {
  keyward = await testKeyward()
  deps = {
    storage: keyward.storage,
    grants: oauthGrantRecorder(keyward.database.db),
    clock: () => 1_800_000_000_000,
  }
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
    const checked = await checkConsent(deps, owner, { projectId: team.project.id, scopes: ['tests.read'] })
    const client = { id: 'client-1', name: 'Claude', redirectHost: 'claude.ai' }
    await recordConsent(deps, owner, { ...checked, grantId: 'grant-1', client })
    const row = await keyward.database.db.selectFrom('oauth_grants').selectAll().executeTakeFirst()
    expect(row).toMatchObject({
      id: 'grant-1',
      client_name: 'Claude',
      scopes: '["tests.read"]',
      created_at: 1_800_000_000_000,
    })
    const [event] = await keyward.storage.events.listByAccount(team.account.id, 1)
    expect(event).toMatchObject({ action: 'oauth_grant.created', targetId: 'grant-1', at: 1_800_000_000_000 })
  })
})
