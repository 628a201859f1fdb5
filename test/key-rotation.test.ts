import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { testDatabases } from './support/databases.ts'
import { type TestClock, teamWithProject, testClock, testKeyward } from './support/keyward.ts'
import { rejection } from './support/rejection.ts'

const hour = 3_600_000
const day = 24 * hour

describe.each(testDatabases)('rotating keys on $name', (database) => {
  let keyward: Keyward
  let clock: TestClock
  beforeEach(async () => {
    clock = testClock()
    keyward = await testKeyward({ database, clock })
  })
  afterEach(() => keyward.close())

  async function keyOfNewTeam(extra: { scopes?: string[]; expires?: string } = {}) {
    const team = await teamWithProject(keyward, ['member', 'viewer'])
    const created = await keyward.services.keys.create(team.owner, {
      projectId: team.project.id,
      name: 'CI',
      scopes: ['tests.read', 'actions.read'],
      ...extra,
    })
    return { ...team, created }
  }
  const row = (id: string) =>
    keyward.database.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const verify = (secret: string) => keyward.verifier.verify(secret)

  it('keeps the identity, shows a new secret once and accepts the previous one until the grace ends', async () => {
    const { created, owner, account } = await keyOfNewTeam({ expires: '90d' })
    const rotated = await keyward.services.keys.rotate(owner, { keyId: created.id, grace: '1h' })
    expect(rotated).toMatchObject({
      id: created.id,
      name: 'CI',
      projectId: created.projectId,
      scopes: ['tests.read', 'actions.read'],
      expiresAt: created.expiresAt,
      rotatedAt: clock(),
      previousKeyValidUntil: clock() + hour,
    })
    expect(rotated.key).not.toBe(created.key)
    expect(rotated.prefix).toBe(rotated.key.slice(0, 13))
    expect(await row(created.id)).toMatchObject({
      prefix: rotated.prefix,
      previous_valid_until: clock() + hour,
    })

    expect(await verify(rotated.key)).toMatchObject({ ok: true, key: { id: created.id } })
    const previous = await verify(created.key)
    expect(previous).toMatchObject({
      ok: true,
      key: { id: created.id, previousSecretValidUntil: clock() + hour },
    })

    // The deadline travels in the cached record: no eviction, no re-read, yet refused at the instant.
    clock.advance(hour - 1)
    expect((await verify(created.key)).ok).toBe(true)
    clock.advance(1)
    expect(await verify(created.key)).toMatchObject({ ok: false, reason: 'revoked', key: { id: created.id } })
    expect((await verify(rotated.key)).ok).toBe(true)

    const [event] = await keyward.storage.events.listByAccount(account.id, 1)
    expect(event).toMatchObject({
      action: 'key.rotated',
      actor: owner,
      targetId: created.id,
      details: {
        graceSeconds: 3600,
        previousKeyValidUntil: rotated.previousKeyValidUntil,
        prefix: rotated.prefix,
      },
    })
  })

  it('refuses the previous secret at once with grace 0, even when it was cached', async () => {
    const { created, owner } = await keyOfNewTeam()
    expect((await verify(created.key)).ok).toBe(true) // now cached
    const rotated = await keyward.services.keys.rotate(owner, { keyId: created.id, grace: '0' })
    expect(rotated.previousKeyValidUntil).toBe(clock())
    expect(await verify(created.key)).toMatchObject({ ok: false, reason: 'revoked' })
    expect((await verify(rotated.key)).ok).toBe(true)
  })

  it('ends the older grace at once when rotated again: at most two live secrets', async () => {
    const { created, owner } = await keyOfNewTeam()
    const second = await keyward.services.keys.rotate(owner, { keyId: created.id, grace: '7d' })
    expect((await verify(created.key)).ok).toBe(true)
    clock.advance(hour)
    const third = await keyward.services.keys.rotate(owner, { keyId: created.id, grace: '24h' })
    expect(await verify(created.key)).toMatchObject({ ok: false, reason: 'unknown' })
    expect(await verify(second.key)).toMatchObject({
      ok: true,
      key: { previousSecretValidUntil: clock() + day },
    })
    expect((await verify(third.key)).ok).toBe(true)
  })

  it('refuses both secrets once the key is revoked during a grace period, and cannot roll it again', async () => {
    const { created, owner } = await keyOfNewTeam()
    const rotated = await keyward.services.keys.rotate(owner, { keyId: created.id, grace: '30d' })
    await verify(created.key)
    await verify(rotated.key)
    await keyward.services.keys.revoke(owner, { keyId: created.id })
    expect(await verify(created.key)).toMatchObject({ ok: false, reason: 'revoked' })
    expect(await verify(rotated.key)).toMatchObject({ ok: false, reason: 'revoked' })
    const before = await row(created.id)
    expect(await rejection(keyward.services.keys.rotate(owner, { keyId: created.id, grace: '0' }))).toEqual({
      code: 'bad_request',
      message: 'A revoked key cannot be rotated',
    })
    expect(await row(created.id)).toEqual(before)
  })

  it('refuses bad grace periods, members without settings.manage and expired keys, changing nothing', async () => {
    const { created, members, owner } = await keyOfNewTeam({ expires: '30d' })
    const before = await row(created.id)
    for (const grace of ['31d', '1y', '-1h', 'soon', '', '1.5h'])
      expect((await rejection(keyward.services.keys.rotate(owner, { keyId: created.id, grace }))).code).toBe(
        'bad_request',
      )
    const viewer = members.viewer ?? operator
    expect(await rejection(keyward.services.keys.rotate(viewer, { keyId: created.id, grace: '0' }))).toEqual({
      code: 'forbidden',
      message: 'This requires the settings.manage permission',
    })
    clock.advance(31 * day)
    expect(await rejection(keyward.services.keys.rotate(owner, { keyId: created.id, grace: '0' }))).toEqual({
      code: 'bad_request',
      message: 'An expired key cannot be rotated',
    })
    expect(await row(created.id)).toEqual(before)
    // A member (settings.manage) may; any duration up to 30 days works from the core and the CLI.
    const member = members.member ?? operator
    clock.advance(-31 * day)
    const rotated = await keyward.services.keys.rotate(member, { keyId: created.id, grace: '90m' })
    expect(rotated.previousKeyValidUntil).toBe(clock() + 90 * 60_000)
  })
})

describe.each(testDatabases)('key lifetimes on $name', (database) => {
  let keyward: Keyward
  let clock: TestClock
  beforeEach(async () => {
    clock = testClock()
    keyward = await testKeyward({ database, clock })
  })
  afterEach(() => keyward.close())

  it('takes presets, durations from 1h to 366d and dates at creation', async () => {
    const { project, owner } = await teamWithProject(keyward)
    const create = (expires: string) =>
      keyward.services.keys.create(owner, { projectId: project.id, name: 'k', expires })
    expect((await create('1y')).expiresAt).toBe(clock() + 365 * day)
    expect((await create('2h')).expiresAt).toBe(clock() + 2 * hour)
    expect((await create('366d')).expiresAt).toBe(clock() + 366 * day)
    expect((await create('2027-03-01')).expiresAt).toBe(Date.UTC(2027, 2, 1))
    expect((await create('2026-12-24T18:30:00+01:00')).expiresAt).toBe(Date.UTC(2026, 11, 24, 17, 30))
    const count = async () =>
      (await keyward.storage.keys.listByAccount(project.accountId, { hideRevoked: false })).length
    const before = await count()
    for (const expires of [
      '59m',
      '367d',
      '2026-11-01',
      '2028-01-01',
      '2027-02-30',
      '2027-03-01T10:00',
      'soon',
    ])
      expect((await rejection(create(expires))).code).toBe('bad_request')
    expect(await count()).toBe(before)
  })

  it("extends or shortens an active key's expiry, records it and every node sees it at once", async () => {
    const { project, owner, account } = await teamWithProject(keyward)
    const created = await keyward.services.keys.create(owner, {
      projectId: project.id,
      name: 'k',
      expires: '30d',
    })
    expect((await keyward.verifier.verify(created.key)).ok).toBe(true) // cached
    const shortened = await keyward.services.keys.updateExpiry(owner, { keyId: created.id, expires: '1h' })
    expect(shortened.expiresAt).toBe(clock() + hour)
    const [event] = await keyward.storage.events.listByAccount(account.id, 1)
    expect(event).toMatchObject({
      action: 'key.expiry_changed',
      actor: owner,
      details: { from: created.expiresAt, to: clock() + hour },
    })
    clock.advance(hour + 1)
    expect(await keyward.verifier.verify(created.key)).toMatchObject({ ok: false, reason: 'expired' })
    // Expired now: it is not brought back this way.
    expect(
      await rejection(keyward.services.keys.updateExpiry(owner, { keyId: created.id, expires: 'never' })),
    ).toEqual({ code: 'bad_request', message: 'An expired key cannot be changed' })
    const other = await keyward.services.keys.create(owner, {
      projectId: project.id,
      name: 'k2',
      expires: '2h',
    })
    const extended = await keyward.services.keys.updateExpiry(owner, { keyId: other.id, expires: 'never' })
    expect(extended.expiresAt).toBeNull()
    expect(
      (await rejection(keyward.services.keys.updateExpiry(owner, { keyId: other.id, expires: '0h' }))).code,
    ).toBe('bad_request')
    expect((await keyward.storage.keys.findById(other.id))?.expiresAt).toBeNull()
  })
})
