import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  checkKeyLifetime,
  defaultKeyPolicy,
  parseMaxLifetime,
  readOnlyScopes,
} from '../src/core/key-policy.ts'
import { type Actor, operator } from '../src/core/model.ts'
import { appDeps, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { type DashboardClient, signedIn } from './support/dashboard.ts'
import { testDatabases } from './support/databases.ts'
import { type TestClock, teamWithProject, testClock, testKeyward } from './support/keyward.ts'
import { rejection } from './support/rejection.ts'

const day = 86_400_000

describe('checkKeyLifetime (creation, rotation and expiry changes all call it)', () => {
  const created = Date.UTC(2026, 0, 1)
  const policy = { ...defaultKeyPolicy, maxLifetimeDays: 90 }

  it('allows any expiry, and none, under the default policy', () => {
    expect(() => checkKeyLifetime(defaultKeyPolicy, created, null)).not.toThrow()
    expect(() => checkKeyLifetime(defaultKeyPolicy, created, created + 1000 * day)).not.toThrow()
  })

  it('counts the maximum from creation, inclusive, and names it when exceeded', () => {
    expect(() => checkKeyLifetime(policy, created, created + 90 * day)).not.toThrow()
    expect(() => checkKeyLifetime(policy, created, created + 90 * day + 1)).toThrow(
      "The account's key policy allows a lifetime of at most 90 days from creation",
    )
    // An extension or a rotation late in a key's life is still held to its creation.
    expect(() => checkKeyLifetime(policy, created - 80 * day, created + 30 * day)).toThrow(/at most 90 days/)
  })

  it('refuses "never" under requireExpiry or a maximum', () => {
    expect(() => checkKeyLifetime({ ...defaultKeyPolicy, requireExpiry: true }, created, null)).toThrow(
      "The account's key policy requires an expiration",
    )
    expect(() => checkKeyLifetime(policy, created, null)).toThrow(
      "The account's key policy requires an expiration of at most 90 days",
    )
  })

  it('parses the CLI lifetimes', () => {
    expect([parseMaxLifetime('90d'), parseMaxLifetime('366'), parseMaxLifetime('none')]).toEqual([
      90,
      366,
      null,
    ])
    for (const bad of ['0d', '367d', '1y', '-5', '2.5d', ''])
      expect(() => parseMaxLifetime(bad), bad).toThrow(/Invalid max lifetime/)
  })
})

describe.each(testDatabases)('account key policy on $name', (database) => {
  let keyward: Keyward
  let app: FastifyInstance
  let clock: TestClock
  let team: Awaited<ReturnType<typeof teamWithProject>>
  let owner: DashboardClient
  const policyPath = () => `/accounts/${team.account.id}/key-policy`
  const create = (actor: Actor, extra: { expires?: string; scopes?: string[] | null } = {}) =>
    keyward.services.keys.create(actor, { projectId: team.project.id, name: 'k', ...extra })
  const count = async (table: 'api_keys' | 'management_events' | 'account_key_policies') =>
    Number(
      (
        await keyward.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  const setPolicy = async (body: Record<string, unknown>) => {
    const response = await owner.request('PATCH', policyPath(), body)
    expect(response.statusCode, response.body).toBe(200)
    return response.json()
  }
  const whoami = (key: string) =>
    app.inject({ method: 'GET', url: '/api/v2/key', headers: { authorization: `Bearer ${key}` } })

  beforeEach(async () => {
    clock = testClock(Date.now())
    keyward = await testKeyward({ database, clock })
    app = await buildApp({ ...appDeps(keyward), logLevel: 'silent' })
    team = await teamWithProject(keyward, ['member', 'viewer'])
    owner = await signedIn(app, keyward, team.owner.userId)
  })
  afterEach(async () => {
    await app.close()
    await keyward.close()
  })

  it('starts with the default policy, and an Owner changes it with one history row', async () => {
    expect((await owner.request('GET', policyPath())).json()).toEqual(defaultKeyPolicy)
    const changed = await setPolicy({ maxLifetimeDays: 90, requireExpiry: true, leakResponse: 'notify' })
    expect(changed).toEqual({
      requireExpiry: true,
      maxLifetimeDays: 90,
      defaultScopes: 'all',
      leakResponse: 'notify',
      mcpKeys: true,
      mcpOAuth: true,
    })
    expect((await owner.request('GET', policyPath())).json()).toEqual(changed)
    expect(await keyward.services.keyPolicy.leakResponse(team.account.id)).toBe('notify')
    const [event] = await keyward.storage.events.listByAccount(team.account.id, 1)
    expect(event).toMatchObject({
      action: 'account.key_policy_changed',
      targetType: 'account',
      targetId: team.account.id,
      actor: { kind: 'user', userId: team.owner.userId },
      details: { from: defaultKeyPolicy, to: changed },
    })
    // Saving the same policy again records nothing.
    const events = await count('management_events')
    await setPolicy({ maxLifetimeDays: 90 })
    expect(await count('management_events')).toBe(events)
  })

  it('checks creation: an expiry is required, within the maximum, with a clear 400 and no key written', async () => {
    await setPolicy({ requireExpiry: true })
    const before = await count('api_keys')
    expect(await rejection(create(team.owner))).toMatchObject({
      code: 'bad_request',
      message: "The account's key policy requires an expiration",
    })
    expect((await create(team.owner, { expires: '1y' })).expiresAt).toBe(clock() + 365 * day)

    await setPolicy({ maxLifetimeDays: 60 })
    const rows = await count('api_keys')
    const refused = await owner.request('POST', `/accounts/${team.account.id}/keys`, {
      projectId: team.project.id,
      name: 'too long',
      expires: '90d',
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.json()).toEqual({
      error: 'bad_request',
      message: "The account's key policy allows a lifetime of at most 60 days from creation",
      status: 400,
    })
    expect(await count('api_keys')).toBe(rows)
    expect(before + 1).toBe(rows)
    expect((await create(team.owner, { expires: '60d' })).expiresAt).toBe(clock() + 60 * day)
  })

  it('checks a roll and an expiry change against the lifetime counted from creation, changing nothing when refused', async () => {
    const key = await create(team.owner, { expires: '30d' })
    const legacy = await create(team.owner) // never expires, made before the policy
    await setPolicy({ maxLifetimeDays: 60 })
    const events = await count('management_events')

    const extend = (expires: string) => owner.request('PATCH', `/keys/${key.id}/expiry`, { expires })
    const tooLong = await extend('90d')
    expect(tooLong.statusCode).toBe(400)
    expect(tooLong.json().message).toBe(
      "The account's key policy allows a lifetime of at most 60 days from creation",
    )
    expect((await keyward.storage.keys.findById(key.id))?.expiresAt).toBe(key.expiresAt)
    // Ten days on, 50 more days still ends within 60 days of creation.
    clock.advance(10 * day)
    expect((await extend('50d')).statusCode).toBe(200)
    expect((await keyward.storage.keys.findById(key.id))?.expiresAt).toBe(clock() + 50 * day)

    const rolled = await owner.request('POST', `/keys/${key.id}/rotate`, { grace: '1h' })
    expect(rolled.statusCode).toBe(200)
    const before = await keyward.storage.keys.findById(legacy.id)
    const refused = await owner.request('POST', `/keys/${legacy.id}/rotate`, { grace: '1h' })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().message).toBe("The account's key policy requires an expiration of at most 60 days")
    expect((await keyward.storage.keys.findById(legacy.id))?.prefix).toBe(before?.prefix)
    // The two changes that went through were recorded; the refusals wrote nothing.
    expect(await count('management_events')).toBe(events + 2)
  })

  it('gives new keys the default preset when no scopes are named, and what is named otherwise', async () => {
    await setPolicy({ defaultScopes: 'read' })
    expect((await create(team.owner)).scopes).toEqual(readOnlyScopes)
    expect((await create(team.owner, { scopes: null })).scopes).toBeNull()
    expect((await create(team.owner, { scopes: ['actions.write'] })).scopes).toEqual(['actions.write'])
    const created = await owner.request('POST', `/accounts/${team.account.id}/keys`, {
      projectId: team.project.id,
      name: 'dialog',
    })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json().key.scopes).toEqual(readOnlyScopes)
  })

  it('refuses at use a key older than a new maximum (generic 401, reason expired), and takes it back when loosened', async () => {
    const old = await create(team.owner)
    const young = await create(team.owner, { expires: '1y' })
    clock.advance(40 * day)
    const lateborn = await create(team.owner)
    for (const key of [old, young, lateborn]) expect((await whoami(key.key)).statusCode).toBe(200)

    await setPolicy({ maxLifetimeDays: 30 })
    const refused = await whoami(old.key)
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toEqual({
      error: 'unauthorized',
      message: 'Invalid or missing API key',
      status: 401,
    })
    expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
    expect((await whoami(young.key)).statusCode).toBe(401) // its own expiry is later: the policy wins
    expect((await whoami(lateborn.key)).statusCode).toBe(200)

    await keyward.activity.flush()
    const row = await keyward.database.db
      .selectFrom('activity')
      .select(['reason', 'key_id', 'status'])
      .where('request_id', '=', refused.headers['x-request-id'] as string)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ reason: 'expired', key_id: old.id, status: 401 })

    const statuses = async () =>
      Object.fromEntries(
        (await keyward.services.keys.list(team.owner, { accountId: team.account.id })).map((k) => [
          k.id,
          k.status,
        ]),
      )
    expect(await statuses()).toEqual({ [old.id]: 'expired', [young.id]: 'expired', [lateborn.id]: 'active' })
    const page = (await owner.request('GET', `/accounts/${team.account.id}/keys`)).json()
    expect(
      Object.fromEntries(page.data.map((k: { id: string; status: string }) => [k.id, k.status])),
    ).toEqual(await statuses())
    expect((await owner.request('GET', `/keys/${old.id}`)).json().key.status).toBe('expired')
    const byStatus = await owner.request('GET', `/accounts/${team.account.id}/keys?sort=status&order=asc`)
    expect(byStatus.json().data.map((k: { id: string }) => k.id)[0]).toBe(lateborn.id) // active sorts first
    expect((await owner.request('GET', `/accounts/${team.account.id}/overview`)).json()).toMatchObject({
      keyCount: 3,
      activeKeyCount: 1,
    })

    await setPolicy({ maxLifetimeDays: null })
    expect((await whoami(old.key)).statusCode).toBe(200)
    expect(await statuses()).toEqual({ [old.id]: 'active', [young.id]: 'active', [lateborn.id]: 'active' })
  })

  it('previews the live keys a maximum would stop, and saves nothing', async () => {
    const old = await create(team.owner)
    const oldRevoked = await create(team.owner)
    await keyward.services.keys.revoke(team.owner, { keyId: oldRevoked.id })
    clock.advance(40 * day)
    await create(team.owner)
    const events = await count('management_events')
    const preview = await owner.request('POST', `${policyPath()}/preview`, { maxLifetimeDays: 30 })
    expect(preview.statusCode, preview.body).toBe(200)
    expect(preview.json().policy).toEqual({ ...defaultKeyPolicy, maxLifetimeDays: 30 })
    expect(preview.json().affected.map((k: { id: string }) => k.id)).toEqual([old.id])
    expect(preview.json().affected[0]).toMatchObject({ name: 'k', status: 'active', projectName: 'Website' })
    expect(
      (await owner.request('POST', `${policyPath()}/preview`, { maxLifetimeDays: 60 })).json().affected,
    ).toEqual([])
    expect(await count('management_events')).toBe(events)
    expect(await count('account_key_policies')).toBe(0)
    // A Viewer may look too: the dialog's list is what the key table shows already.
    const viewer = await signedIn(app, keyward, team.members.viewer?.userId ?? '')
    expect(
      (await viewer.request('POST', `${policyPath()}/preview`, { maxLifetimeDays: 30 })).statusCode,
    ).toBe(200)
  })

  it('refuses Members and Viewers (403) and bad input (400), changing nothing', async () => {
    await setPolicy({ maxLifetimeDays: 90 })
    const events = await count('management_events')
    for (const role of ['member', 'viewer'] as const) {
      const client = await signedIn(app, keyward, team.members[role]?.userId ?? '')
      expect((await client.request('GET', policyPath())).statusCode).toBe(200)
      const refused = await client.request('PATCH', policyPath(), { maxLifetimeDays: 7 })
      expect(refused.statusCode).toBe(403)
      expect(refused.json()).toEqual({
        error: 'forbidden',
        message: 'This requires the roles.manage permission',
        status: 403,
      })
    }
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ maxLifetimeDays: 0 }, /maxLifetimeDays must be a whole number of days from 1 to 366, or null/],
      [{ maxLifetimeDays: 367 }, /from 1 to 366/],
      [{ maxLifetimeDays: 2.5 }, /from 1 to 366/],
      [{ maxLifetimeDays: '30' }, /maxLifetimeDays/],
      [{ requireExpiry: 'yes' }, /requireExpiry/],
      [{ defaultScopes: 'write' }, /defaultScopes/],
      [{ leakResponse: 'ignore' }, /leakResponse/],
      [{ maxLifetimeDays: 30, surprise: true }, /surprise|Unrecognized/],
    ]
    for (const [body, message] of bad) {
      for (const path of [policyPath(), `${policyPath()}/preview`]) {
        const method = path.endsWith('preview') ? 'POST' : 'PATCH'
        const response = await owner.request(method, path, body)
        expect(response.statusCode, `${method} ${JSON.stringify(body)}`).toBe(400)
        expect(response.json()).toMatchObject({ error: 'bad_request', status: 400 })
        expect(response.json().message).toMatch(message)
      }
    }
    expect(
      await rejection(
        keyward.services.keyPolicy.update(operator, {
          accountId: team.account.id,
          change: { maxLifetimeDays: -1 },
        }),
      ),
    ).toMatchObject({ code: 'bad_request' })
    expect((await owner.request('GET', policyPath())).json()).toMatchObject({ maxLifetimeDays: 90 })
    expect(await count('management_events')).toBe(events)
  })
})
