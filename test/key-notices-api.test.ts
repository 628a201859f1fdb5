import { afterEach, describe, expect, it } from 'vitest'
import { keyNoticesAt } from '../src/core/key-notices.ts'
import type { ApiKeyListItem } from '../src/core/model.ts'
import { appDeps, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { signedIn } from './support/dashboard.ts'
import { teamWithProject, testClock, testKeyward } from './support/keyward.ts'

const day = 86_400_000
let keyward: Keyward | undefined
afterEach(async () => {
  await keyward?.close()
  keyward = undefined
})

describe('GET /api/dashboard/accounts/:accountId/key-notices', () => {
  it('lists keys expiring within 7 days and active keys unused for 30 days, for any member', async () => {
    const clock = testClock()
    keyward = await testKeyward({ clock })
    const start = clock()
    const { account, project, owner, members } = await teamWithProject(keyward, ['viewer'])
    const create = (name: string, expires = 'never') =>
      keyward?.services.keys.create(owner, { projectId: project.id, name, expires })
    const soon = await create('Soon', '30d')
    await create('Idle')
    const used = await create('Used')
    const revoked = await create('Revoked', '30d')
    await keyward.services.keys.revoke(owner, { keyId: revoked?.id ?? '' })
    clock.set(start + 24 * day)
    await keyward.storage.keys.recordLastUsed(new Map([[used?.id ?? '', clock() - 2 * day]]))
    await create('New') // created 0 days ago: not "unused for 30 days" yet

    const app = await buildApp({ ...appDeps(keyward), logLevel: 'silent' })
    try {
      const viewer = await signedIn(app, keyward, members.viewer?.userId ?? '')
      clock.set(start + 31 * day - 1)
      const response = await viewer.request('GET', `/accounts/${account.id}/key-notices`)
      expect(response.statusCode).toBe(200)
      const { data } = response.json()
      // Soon has expired by now (no longer active); Used was used 9 days ago; New is 7 days old.
      expect(data.expiringSoon).toEqual([])
      expect(data.unused.map((k: { name: string }) => k.name)).toEqual(['Idle'])

      clock.set(start + 24 * day)
      const week = (await viewer.request('GET', `/accounts/${account.id}/key-notices`)).json().data
      expect(week.expiringSoon).toEqual([
        {
          id: soon?.id,
          name: 'Soon',
          prefix: soon?.prefix,
          projectId: project.id,
          projectName: 'Website',
          expiresAt: soon?.expiresAt,
          previousKeyValidUntil: null,
          lastUsedAt: null,
        },
      ])
      expect(week.unused).toEqual([])
      expect(week.inGrace).toEqual([])
      expect(JSON.stringify(week)).not.toContain('hash')
    } finally {
      await app.close()
    }
  })

  it('lists rotated keys whose previous secret is still valid (the field rotation adds)', () => {
    const now = Date.UTC(2026, 10, 1)
    const key = (name: string, previousKeyValidUntil?: number | null) =>
      ({
        id: name,
        name,
        prefix: 'dtk_live_abcd',
        projectId: 'p',
        projectName: 'Website',
        accountId: 'a',
        scopes: null,
        expiresAt: null,
        revokedAt: null,
        revokedBy: null,
        createdBy: null,
        createdAt: now - day,
        lastUsedAt: now,
        status: 'active',
        ...(previousKeyValidUntil === undefined ? {} : { previousKeyValidUntil }),
      }) as ApiKeyListItem & { previousKeyValidUntil?: number | null }
    const notices = keyNoticesAt(
      [key('Plain'), key('Ended', now - 1), key('Later', now + 2 * day), key('Sooner', now + day)],
      now,
    )
    expect(notices.inGrace.map((k) => [k.name, k.previousKeyValidUntil])).toEqual([
      ['Sooner', now + day],
      ['Later', now + 2 * day],
    ])
  })
})
