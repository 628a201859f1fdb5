import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { type TestClock, teamWithProject, testClock, testKeyward } from './support/keyward.ts'
import { rejection } from './support/rejection.ts'

const countRows = (keyward: Keyward, table: 'api_keys' | 'management_events') =>
  keyward.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n))

let keyward: Keyward
let clock: TestClock
beforeEach(async () => {
  clock = testClock()
  keyward = await testKeyward({ clock })
})
afterEach(() => keyward.close())

describe('accounts, members and projects', () => {
  it('makes the creator of an account its owner and records both events', async () => {
    const { account, owner, project } = await teamWithProject(keyward)
    expect(await keyward.storage.memberships.roleOf(account.id, owner.userId)).toBe('owner')
    expect(project.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const actions = (await keyward.storage.events.listByAccount(account.id, 10)).map((e) => e.action).sort()
    expect(actions).toEqual(['account.created', 'member.added', 'project.created'])
  })

  it('gives accounts unique slugs', async () => {
    const a = await keyward.services.accounts.create(operator, { name: 'Acme Inc.' })
    const b = await keyward.services.accounts.create(operator, { name: 'ACME inc' })
    expect([a.slug, b.slug]).toEqual(['acme-inc', 'acme-inc-2'])
  })

  it('lets only members.manage add members, and only Owners and Members create projects', async () => {
    const { account, members } = await teamWithProject(keyward, ['member', 'viewer'])
    const member = members.member ?? operator
    const viewer = members.viewer ?? operator
    const add = { accountId: account.id, userId: viewer.kind === 'user' ? viewer.userId : '', role: 'member' }
    expect(await rejection(keyward.services.accounts.addMember(member, add))).toMatchObject({
      code: 'forbidden',
    })
    expect(
      await rejection(keyward.services.projects.create(viewer, { accountId: account.id, name: 'X' })),
    ).toEqual({
      code: 'forbidden',
      message: 'This requires the settings.manage permission',
    })
    expect(
      (await keyward.services.projects.create(member, { accountId: account.id, name: 'Docs' })).name,
    ).toBe('Docs')
  })
})

describe('creating keys', () => {
  it('stores the key with defaults: full access, never expires, display prefix, creator', async () => {
    const { project, owner } = await teamWithProject(keyward)
    const created = await keyward.services.keys.create(owner, { projectId: project.id, name: 'CI' })
    expect(created).toMatchObject({
      projectId: project.id,
      name: 'CI',
      scopes: null,
      expiresAt: null,
      createdBy: owner.userId,
      createdAt: clock(),
      prefix: created.key.slice(0, 13),
    })
    const [event] = await keyward.storage.events.listByAccount(created.accountId, 1)
    expect(event).toMatchObject({ action: 'key.created', targetId: created.id, actor: owner })
  })

  it('stores narrowed scopes in catalogue order and an expiry counted from creation', async () => {
    const { project, owner } = await teamWithProject(keyward)
    const created = await keyward.services.keys.create(owner, {
      projectId: project.id,
      name: 'BI',
      scopes: ['citations.read', 'visibility.read'],
      expires: '90d',
    })
    expect(created.scopes).toEqual(['visibility.read', 'citations.read'])
    expect(created.expiresAt).toBe(clock() + 90 * 86_400_000)
  })

  it.each([
    [{ scopes: ['visibility.read', 'root'] }, 'bad_request', 'Unknown scope: root'],
    [
      { expires: '14 days' },
      'bad_request',
      'Invalid expiration: 14 days (not a choice, a duration or a date; use never, 30d, 60d, 90d, 180d, 1y, ' +
        'a duration from 1h to 366d such as 2h or 45d, or a date such as 2027-03-01)',
    ],
    [{ name: ' ' }, 'bad_request', 'Key name is required'],
    [{ name: 'x'.repeat(101) }, 'bad_request', 'Key name must be at most 100 characters'],
    [{ projectId: '6f1c2b7e-0000-4000-8000-000000000000' }, 'not_found', 'Project not found'],
  ])('refuses %o with %s and writes nothing', async (change, code, message) => {
    const { project, owner } = await teamWithProject(keyward)
    const before = [await countRows(keyward, 'api_keys'), await countRows(keyward, 'management_events')]
    const input = { projectId: project.id, name: 'k', ...change }
    expect(await rejection(keyward.services.keys.create(owner, input))).toEqual({ code, message })
    expect([await countRows(keyward, 'api_keys'), await countRows(keyward, 'management_events')]).toEqual(
      before,
    )
  })

  it('writes the key and its event atomically: a failing event leaves no key', async () => {
    const { project, owner } = await teamWithProject(keyward)
    const before = await countRows(keyward, 'api_keys')
    const storage = keyward.storage
    const failingEvents = {
      ...storage,
      transaction: <T>(work: Parameters<typeof storage.transaction<T>>[0]) =>
        storage.transaction((stores) =>
          work({
            ...stores,
            events: { ...stores.events, append: () => Promise.reject(new Error('disk full')) },
          }),
        ),
    }
    const { createKey } = await import('../src/core/keys.ts')
    const { createKeyFormat } = await import('../src/core/key-format.ts')
    const deps = { storage: failingEvents, clock, keyFormat: createKeyFormat(), onKeyChanged: () => {} }
    await expect(createKey(deps, owner, { projectId: project.id, name: 'k' })).rejects.toThrow('disk full')
    expect(await countRows(keyward, 'api_keys')).toBe(before)
  })
})

describe('listing, rescoping and revoking', () => {
  it('lists every key of the account with derived status, project name and no hash', async () => {
    const { account, project, owner } = await teamWithProject(keyward)
    const other = await keyward.services.projects.create(owner, { accountId: account.id, name: 'Docs' })
    const active = await keyward.services.keys.create(owner, { projectId: project.id, name: 'active' })
    clock.advance(1)
    const expiring = await keyward.services.keys.create(owner, {
      projectId: other.id,
      name: 'expiring',
      expires: '30d',
    })
    clock.advance(1)
    const revoked = await keyward.services.keys.create(owner, { projectId: project.id, name: 'revoked' })
    await keyward.services.keys.revoke(owner, { keyId: revoked.id })
    clock.advance(30 * 86_400_000)

    const keys = await keyward.services.keys.list(owner, { accountId: account.id })
    expect(keys.map((k) => [k.name, k.status, k.projectName])).toEqual([
      ['revoked', 'revoked', 'Website'],
      ['expiring', 'expired', 'Docs'],
      ['active', 'active', 'Website'],
    ])
    for (const key of keys) {
      expect(Object.keys(key).some((field) => /hash/i.test(field))).toBe(false)
      expect(JSON.stringify(key)).not.toContain(active.key.slice(9))
    }
    const visible = await keyward.services.keys.list(owner, { accountId: account.id, hideRevoked: true })
    expect(visible.map((k) => k.id)).toEqual([expiring.id, active.id])
  })

  it('narrows and widens scopes, records both, and all scopes means full access', async () => {
    const { project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })
    const narrowed = await keyward.services.keys.updateScopes(owner, {
      keyId: key.id,
      scopes: ['actions.read'],
    })
    expect(narrowed.scopes).toEqual(['actions.read'])
    expect((await keyward.storage.keys.findById(key.id))?.scopes).toEqual(['actions.read'])
    const { scopeCatalogue } = await import('../src/core/scopes.ts')
    await keyward.services.keys.updateScopes(owner, { keyId: key.id, scopes: [...scopeCatalogue] })
    expect((await keyward.storage.keys.findById(key.id))?.scopes).toBeNull()
    const events = await keyward.storage.events.listByAccount(key.accountId, 2)
    expect(events.map((e) => e.details)).toContainEqual({ from: null, to: ['actions.read'] })
    expect(events.map((e) => e.details)).toContainEqual({ from: ['actions.read'], to: null })
  })

  it('revokes softly, keeping who and when; revoking again changes nothing', async () => {
    const { project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })
    clock.advance(5000)
    const revoked = await keyward.services.keys.revoke(owner, { keyId: key.id })
    expect(revoked).toMatchObject({ revokedAt: clock(), revokedBy: owner.userId })
    expect(await keyward.storage.keys.findById(key.id)).toMatchObject({
      revokedAt: clock(),
      revokedBy: owner.userId,
    })
    const eventsBefore = await countRows(keyward, 'management_events')
    clock.advance(5000)
    expect((await keyward.services.keys.revoke(owner, { keyId: key.id })).revokedAt).toBe(revoked.revokedAt)
    expect(await countRows(keyward, 'management_events')).toBe(eventsBefore)
    expect(
      await rejection(keyward.services.keys.updateScopes(owner, { keyId: key.id, scopes: null })),
    ).toMatchObject({
      code: 'bad_request',
    })
  })
})

describe('permissions', () => {
  it('lets a Viewer list keys but not create, rescope or revoke them', async () => {
    const { account, project, owner, members } = await teamWithProject(keyward, ['viewer'])
    const viewer = members.viewer ?? owner
    const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })
    const denied = { code: 'forbidden', message: 'This requires the settings.manage permission' }
    expect(
      await rejection(keyward.services.keys.create(viewer, { projectId: project.id, name: 'v' })),
    ).toEqual(denied)
    expect(
      await rejection(keyward.services.keys.updateScopes(viewer, { keyId: key.id, scopes: ['tests.read'] })),
    ).toEqual(denied)
    expect(await rejection(keyward.services.keys.revoke(viewer, { keyId: key.id }))).toEqual(denied)
    expect(await keyward.storage.keys.findById(key.id)).toMatchObject({ scopes: null, revokedAt: null })
    expect((await keyward.services.keys.list(viewer, { accountId: account.id })).map((k) => k.id)).toEqual([
      key.id,
    ])
  })

  it('lets a Member manage keys', async () => {
    const { project, members } = await teamWithProject(keyward, ['member'])
    const member = members.member ?? operator
    const key = await keyward.services.keys.create(member, { projectId: project.id, name: 'm' })
    expect((await keyward.services.keys.revoke(member, { keyId: key.id })).revokedAt).not.toBeNull()
  })

  it('answers members of another account exactly as if the key or account did not exist', async () => {
    const a = await teamWithProject(keyward)
    const b = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(a.owner, { projectId: a.project.id, name: 'a-key' })
    const missingKey = '0d8a4f1e-1111-4111-8111-111111111111'
    const outsider = b.owner

    const seen = await rejection(keyward.services.keys.revoke(outsider, { keyId: key.id }))
    expect(seen).toEqual(await rejection(keyward.services.keys.revoke(outsider, { keyId: missingKey })))
    expect(seen).toEqual({ code: 'not_found', message: 'Key not found' })
    expect(
      await rejection(keyward.services.keys.updateScopes(outsider, { keyId: key.id, scopes: null })),
    ).toEqual(seen)
    expect(await rejection(keyward.services.keys.list(outsider, { accountId: a.account.id }))).toEqual({
      code: 'not_found',
      message: 'Account not found',
    })
    expect(
      await rejection(keyward.services.keys.create(outsider, { projectId: a.project.id, name: 'x' })),
    ).toEqual({
      code: 'not_found',
      message: 'Project not found',
    })
    expect(await keyward.storage.keys.findById(key.id)).toMatchObject({ revokedAt: null, scopes: null })
  })
})
