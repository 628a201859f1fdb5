import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OpenDatabase } from '../src/storage/database.ts'
import { deleteGrantTokens, oauthAdapterFactory } from '../src/storage/oauth-adapter.ts'
import { testDatabases } from './support/databases.ts'

describe.each(testDatabases)("oidc-provider's storage on $name", (database) => {
  let open: OpenDatabase
  let now = Date.UTC(2026, 11, 6)
  const revoked: string[] = []
  let Adapter: ReturnType<typeof oauthAdapterFactory>
  beforeAll(async () => {
    open = await database.open()
    Adapter = oauthAdapterFactory(open.db, {
      onGrantRevoked: async (grantId) => {
        revoked.push(grantId)
      },
      now: () => now,
    })
  })
  afterAll(async () => open?.close())

  it('finds what it stored, per model, and reports consumption in seconds', async () => {
    const codes = new Adapter('AuthorizationCode')
    await codes.upsert('c1', { grantId: 'g1', scope: 'visibility.read' }, 60)
    expect(await codes.find('c1')).toEqual({ grantId: 'g1', scope: 'visibility.read' })
    expect(await new Adapter('RefreshToken').find('c1')).toBeUndefined()
    await codes.consume('c1')
    expect(await codes.find('c1')).toEqual({ grantId: 'g1', scope: 'visibility.read', consumed: now / 1000 })
    await codes.upsert('c1', { grantId: 'g1', scope: 'tests.read' }, 60)
    expect(await codes.find('c1')).toEqual({ grantId: 'g1', scope: 'tests.read' })
    await codes.destroy('c1')
    expect(await codes.find('c1')).toBeUndefined()
  })

  it('finds sessions by uid and never returns an expired row', async () => {
    const sessions = new Adapter('Session')
    await sessions.upsert('s1', { uid: 'u1', accountId: 'user-1' }, 10)
    expect(await sessions.findByUid('u1')).toEqual({ uid: 'u1', accountId: 'user-1' })
    now += 11_000
    expect(await sessions.findByUid('u1')).toBeUndefined()
    expect(await sessions.find('s1')).toBeUndefined()
  })

  it("revokes a grant's tokens per model and calls back once per revocation", async () => {
    const refresh = new Adapter('RefreshToken')
    const access = new Adapter('AccessToken')
    await refresh.upsert('r1', { grantId: 'g2' }, 600)
    await refresh.upsert('r2', { grantId: 'other' }, 600)
    await refresh.revokeByGrantId('g2')
    expect(await refresh.find('r1')).toBeUndefined()
    expect(await refresh.find('r2')).toEqual({ grantId: 'other' })
    expect(revoked).toEqual([])
    await access.revokeByGrantId('g2')
    expect(revoked).toEqual(['g2'])
  })

  it("deletes a grant's rows and the provider's grant without calling back", async () => {
    await new Adapter('Grant').upsert('g3', { accountId: 'user-1' }, 600)
    await new Adapter('RefreshToken').upsert('r3', { grantId: 'g3' }, 600)
    await deleteGrantTokens(open.db, 'g3')
    expect(await new Adapter('Grant').find('g3')).toBeUndefined()
    expect(await new Adapter('RefreshToken').find('r3')).toBeUndefined()
    expect(revoked).not.toContain('g3')
  })

  it('sweeps expired rows now and then, on a write', async () => {
    const count = async () =>
      Number(
        (
          await open.db
            .selectFrom('oauth_store')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    await new Adapter('Interaction').upsert('i1', {}, 1)
    now += 120_000
    await new Adapter('Interaction').upsert('i2', {}, 3600)
    expect(await count()).toBe(2) // r2 and i2
  })
})
