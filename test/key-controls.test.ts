import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { operator } from '../src/core/model.ts'
import { appDeps, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { type DashboardClient, signedIn } from './support/dashboard.ts'
import { testDatabases } from './support/databases.ts'
import { teamWithProject, testKeyward } from './support/keyward.ts'

/** The stored row, read past every cache: what each assertion of "nothing changed" compares. */
const rowOf = (keyward: Keyward, keyId: string) =>
  keyward.database.db.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirstOrThrow()
const actionsOf = async (keyward: Keyward, accountId: string) =>
  (await keyward.storage.events.listByAccount(accountId, 100)).map((e) => e.action)

describe.each(testDatabases)('per-key controls on $name', (database) => {
  let keyward: Keyward
  let app: FastifyInstance
  let team: Awaited<ReturnType<typeof teamWithProject>>
  let owner: DashboardClient
  let viewer: DashboardClient
  beforeAll(async () => {
    keyward = await testKeyward({ database })
    app = await buildApp({ ...appDeps(keyward), logLevel: 'silent' })
    team = await teamWithProject(keyward, ['viewer'])
    owner = await signedIn(app, keyward, team.owner.userId)
    const viewerActor = team.members.viewer
    if (viewerActor?.kind !== 'user') throw new Error('no viewer')
    viewer = await signedIn(app, keyward, viewerActor.userId)
  })
  afterAll(async () => {
    await app.close()
    await keyward.close()
  })

  const newKey = (name = 'CI', extra: Record<string, unknown> = {}) =>
    owner.request('POST', `/accounts/${team.account.id}/keys`, {
      projectId: team.project.id,
      name,
      scopes: null,
      ...extra,
    })

  it('creates a key with its controls, canonical and validated, and records them', async () => {
    const created = await newKey('Fenced', {
      allowedIps: ['10.1.2.3/8', '2001:DB8::/32', '10.0.0.0/8', '198.51.100.7'],
      rateLimitPerMinute: 50,
      description: '  Nightly export job  ',
      tags: ['CI', 'team:data', 'ci'],
    })
    expect(created.statusCode).toBe(201)
    const key = created.json().key
    expect(key).toMatchObject({
      status: 'active',
      disabledAt: null,
      allowedIps: ['10.0.0.0/8', '2001:db8::/32', '198.51.100.7/32'],
      rateLimitPerMinute: 50,
      description: 'Nightly export job',
      tags: ['ci', 'team:data'],
    })
    const [event] = await keyward.storage.events.listByAccount(team.account.id, 1)
    expect(event).toMatchObject({ action: 'key.created', targetId: key.id })
    expect(event?.details).toMatchObject({ rateLimitPerMinute: 50, tags: ['ci', 'team:data'] })
    // A plain key's row has the defaults, and its creation records no controls.
    const plain = (await newKey('Plain')).json().key
    expect(plain).toMatchObject({ allowedIps: [], rateLimitPerMinute: null, description: null, tags: [] })
    const [plainEvent] = await keyward.storage.events.listByAccount(team.account.id, 1)
    expect(Object.keys(plainEvent?.details ?? {}).sort()).toEqual([
      'expiresAt',
      'name',
      'projectId',
      'scopes',
    ])
  })

  it.each([
    [
      'a CIDR that is not one',
      { allowedIps: ['10.0.0.0/33'] },
      'Not an IP address or CIDR range: 10.0.0.0/33',
    ],
    ['an IPv4 shorthand', { allowedIps: ['10.1'] }, 'Not an IP address or CIDR range: 10.1'],
    [
      '21 ranges',
      { allowedIps: Array.from({ length: 21 }, (_, i) => `10.0.${i}.0/24`) },
      'An IP allowlist holds at most 20 ranges',
    ],
    [
      'a limit above the plan',
      { rateLimitPerMinute: 501 },
      "The rate limit must be a whole number from 1 to the plan's 500 per minute",
    ],
    [
      'a zero limit',
      { rateLimitPerMinute: 0 },
      "The rate limit must be a whole number from 1 to the plan's 500 per minute",
    ],
    [
      'a tag with a space',
      { tags: ['two words'] },
      'A tag is 1–32 letters, digits and - _ . : starting with a letter or digit: two words',
    ],
    ['11 tags', { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'A key has at most 10 tags'],
    [
      'a long description',
      { description: 'x'.repeat(501) },
      "A key's description must be at most 500 characters",
    ],
  ])('refuses %s with 400, on create and on update, and changes nothing', async (_name, body, message) => {
    const keysBefore = await keyward.database.db.selectFrom('api_keys').select('id').execute()
    const refusedCreate = await newKey('Refused', body)
    expect(refusedCreate.statusCode).toBe(400)
    expect(refusedCreate.json()).toMatchObject({ error: 'bad_request', message })
    expect(await keyward.database.db.selectFrom('api_keys').select('id').execute()).toEqual(keysBefore)

    const key = (await newKey('Target', { description: 'before' })).json().key
    const before = await rowOf(keyward, key.id)
    const events = await actionsOf(keyward, team.account.id)
    // A valid change beside the bad one is not applied either.
    const refused = await owner.request('PATCH', `/keys/${key.id}/controls`, {
      tags: ['x'],
      ...(body as Record<string, unknown>),
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().message).toBe(message)
    expect(await rowOf(keyward, key.id)).toEqual(before)
    expect(await actionsOf(keyward, team.account.id)).toEqual(events)
  })

  it('updates only the fields that change and records each as {from, to}', async () => {
    const key = (await newKey('Editable', { tags: ['a'] })).json().key
    const changed = await owner.request('PATCH', `/keys/${key.id}/controls`, {
      allowedIps: ['::ffff:192.168.0.0/112'],
      rateLimitPerMinute: 20,
      tags: ['a'],
    })
    expect(changed.statusCode).toBe(200)
    expect(changed.json()).toMatchObject({
      allowedIps: ['192.168.0.0/16'],
      rateLimitPerMinute: 20,
      tags: ['a'],
    })
    const [event] = await keyward.storage.events.listByAccount(team.account.id, 1)
    expect(event).toMatchObject({ action: 'key.controls_changed', targetId: key.id })
    expect(event?.details).toEqual({
      allowedIps: { from: [], to: ['192.168.0.0/16'] },
      rateLimitPerMinute: { from: null, to: 20 },
    })
    // Clearing: an empty list and null go back to "any address" and "the plan's".
    const cleared = await owner.request('PATCH', `/keys/${key.id}/controls`, {
      allowedIps: [],
      rateLimitPerMinute: null,
    })
    expect(cleared.json()).toMatchObject({ allowedIps: [], rateLimitPerMinute: null })
    // The same values again: nothing to record.
    const events = await actionsOf(keyward, team.account.id)
    await owner.request('PATCH', `/keys/${key.id}/controls`, { allowedIps: [], tags: ['a'] })
    expect(await actionsOf(keyward, team.account.id)).toEqual(events)
    // The key drawer's history shows the change.
    const details = await owner.request('GET', `/keys/${key.id}`)
    expect(details.json().history.map((h: { action: string }) => h.action)).toContain('key.controls_changed')
  })

  it('disables and enables a key, idempotently, recorded once each, with the Disabled status', async () => {
    const key = (await newKey('Pausable')).json().key
    const disabled = await owner.request('POST', `/keys/${key.id}/disable`)
    expect(disabled.statusCode).toBe(200)
    expect(disabled.json()).toMatchObject({ status: 'disabled', disabledAt: expect.any(Number) })
    await owner.request('POST', `/keys/${key.id}/disable`)
    const listed = await owner.request('GET', `/accounts/${team.account.id}/keys?search=Pausable`)
    expect(listed.json().data.map((k: { status: string }) => k.status)).toEqual(['disabled'])
    const enabled = await owner.request('POST', `/keys/${key.id}/enable`)
    expect(enabled.json()).toMatchObject({ status: 'active', disabledAt: null })
    await owner.request('POST', `/keys/${key.id}/enable`)
    const history = (await owner.request('GET', `/keys/${key.id}`)).json().history
    expect(history.map((h: { action: string }) => h.action)).toEqual([
      'key.enabled',
      'key.disabled',
      'key.created',
    ])
  })

  it('refuses every change to a viewer (403) and to a revoked key (400), changing nothing', async () => {
    const key = (await newKey('Guarded')).json().key
    const before = await rowOf(keyward, key.id)
    for (const [method, path, body] of [
      ['PATCH', `/keys/${key.id}/controls`, { description: 'x' }],
      ['POST', `/keys/${key.id}/disable`, undefined],
      ['POST', `/accounts/${team.account.id}/keys/revoke`, { keyIds: [key.id] }],
    ] as const) {
      expect((await viewer.request(method, path, body)).statusCode).toBe(403)
    }
    expect(await rowOf(keyward, key.id)).toEqual(before)
    await owner.request('POST', `/keys/${key.id}/revoke`)
    const revoked = await rowOf(keyward, key.id)
    expect((await owner.request('POST', `/keys/${key.id}/disable`)).statusCode).toBe(400)
    expect((await owner.request('PATCH', `/keys/${key.id}/controls`, { tags: ['x'] })).statusCode).toBe(400)
    expect(await rowOf(keyward, key.id)).toEqual(revoked)
  })

  it('bulk-revokes selected keys all or nothing', async () => {
    const a = (await newKey('Bulk A')).json().key
    const b = (await newKey('Bulk B')).json().key
    const other = await teamWithProject(keyward)
    const foreign = await keyward.services.keys.create(operator, {
      projectId: other.project.id,
      name: 'Theirs',
    })
    const events = await actionsOf(keyward, team.account.id)

    // One id of another account: 404, and neither of the others is revoked.
    const mixed = await owner.request('POST', `/accounts/${team.account.id}/keys/revoke`, {
      keyIds: [a.id, foreign.id, b.id],
    })
    expect(mixed.statusCode).toBe(404)
    expect((await rowOf(keyward, a.id)).revoked_at).toBeNull()
    expect((await rowOf(keyward, b.id)).revoked_at).toBeNull()
    expect((await rowOf(keyward, foreign.id)).revoked_at).toBeNull()
    expect(await actionsOf(keyward, team.account.id)).toEqual(events)
    for (const body of [{ keyIds: [] }, { keyIds: 'x' }, {}]) {
      expect((await owner.request('POST', `/accounts/${team.account.id}/keys/revoke`, body)).statusCode).toBe(
        400,
      )
    }

    const done = await owner.request('POST', `/accounts/${team.account.id}/keys/revoke`, {
      keyIds: [a.id, b.id, a.id],
    })
    expect(done.statusCode).toBe(200)
    expect(done.json().data.map((k: { id: string; status: string }) => [k.id, k.status])).toEqual([
      [a.id, 'revoked'],
      [b.id, 'revoked'],
    ])
    expect((await actionsOf(keyward, team.account.id)).slice(0, 2)).toEqual(['key.revoked', 'key.revoked'])
    // Again: already revoked, nothing more recorded.
    const after = await actionsOf(keyward, team.account.id)
    expect(
      (await owner.request('POST', `/accounts/${team.account.id}/keys/revoke`, { keyIds: [a.id] }))
        .statusCode,
    ).toBe(200)
    expect(await actionsOf(keyward, team.account.id)).toEqual(after)
  })

  it('finds keys by description and by tag prefix, ignoring case', async () => {
    await newKey('Search one', { description: 'Feeds the Looker dashboard', tags: ['bi', 'zulu-nightly'] })
    await newKey('Search two', { tags: ['zulu_shift'] })
    const names = async (search: string) =>
      (await owner.request('GET', `/accounts/${team.account.id}/keys?search=${encodeURIComponent(search)}`))
        .json()
        .data.map((k: { name: string }) => k.name)
        .sort()
    expect(await names('looker')).toEqual(['Search one'])
    expect(await names('ZULU')).toEqual(['Search one', 'Search two'])
    expect(await names('ulu')).toEqual([]) // a tag matches from its start only
    expect(await names('zulu_')).toEqual(['Search two']) // `_` is taken literally
  })
})
