import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Actor, operator } from '../src/core/model.ts'
import { type Permission, type Role, roleHas } from '../src/core/roles.ts'
import { appDeps, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { keylessRequest } from './support/activity-rows.ts'
import { type DashboardClient, signedIn } from './support/dashboard.ts'
import { newUser, teamWithProject, testKeyward } from './support/keyward.ts'

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

/** What an endpoint acts on; made fresh for every case, so that a destructive call never sees another's leftovers. */
interface Targets {
  accountId: string
  projectId: string
  keyId: string
  webhookId: string
  invitationId: string
  /** A Viewer of the account, for role changes and removal. */
  memberId: string
  /** A request of the account's Agent Activity. */
  activityId: string
  /** An OAuth grant of the account's owner (a connected app). */
  grantId: string
}

interface Endpoint {
  method: Method
  path: (t: Targets) => string
  body?: (t: Targets) => unknown
  /** `member`: any member may call it. */
  needs: Permission | 'member'
  status: number
}

/** Every dashboard endpoint that works within an account, with the permission it needs. */
const endpoints: Endpoint[] = [
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/overview`, needs: 'member', status: 200 },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/projects`, needs: 'member', status: 200 },
  {
    method: 'POST',
    path: (t) => `/accounts/${t.accountId}/projects`,
    body: () => ({ name: 'New project' }),
    needs: 'settings.manage',
    status: 201,
  },
  {
    method: 'PATCH',
    path: (t) => `/projects/${t.projectId}`,
    body: () => ({ name: 'Renamed' }),
    needs: 'settings.manage',
    status: 200,
  },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/members`, needs: 'member', status: 200 },
  {
    method: 'PATCH',
    path: (t) => `/accounts/${t.accountId}/members/${t.memberId}`,
    body: () => ({ role: 'member' }),
    needs: 'roles.manage',
    status: 200,
  },
  {
    method: 'DELETE',
    path: (t) => `/accounts/${t.accountId}/members/${t.memberId}`,
    needs: 'members.manage',
    status: 204,
  },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/invitations`, needs: 'member', status: 200 },
  {
    method: 'POST',
    path: (t) => `/accounts/${t.accountId}/invitations`,
    body: () => ({ email: `new-${Math.random()}@example.test`, role: 'member' }),
    needs: 'invites.manage',
    status: 201,
  },
  {
    method: 'DELETE',
    path: (t) => `/accounts/${t.accountId}/invitations/${t.invitationId}`,
    needs: 'invites.manage',
    status: 204,
  },
  {
    method: 'POST',
    path: (t) => `/accounts/${t.accountId}/invitations/${t.invitationId}/link`,
    needs: 'invites.manage',
    status: 200,
  },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/settings`, needs: 'member', status: 200 },
  {
    method: 'PATCH',
    path: (t) => `/accounts/${t.accountId}/settings`,
    body: () => ({ name: 'Renamed team' }),
    // Owners only: of the permissions, roles.manage is the one exactly Owners hold. Transfer and deletion (primary
    // owner only, and destructive) are covered in test/team-settings.test.ts.
    needs: 'roles.manage',
    status: 200,
  },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/history`, needs: 'member', status: 200 },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/keys`, needs: 'member', status: 200 },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/key-notices`, needs: 'member', status: 200 },
  {
    method: 'POST',
    path: (t) => `/accounts/${t.accountId}/keys`,
    body: (t) => ({ projectId: t.projectId, name: 'Created', expires: '30d', scopes: ['visibility.read'] }),
    needs: 'settings.manage',
    status: 201,
  },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/key-policy`, needs: 'member', status: 200 },
  {
    method: 'PATCH',
    path: (t) => `/accounts/${t.accountId}/key-policy`,
    body: () => ({ leakResponse: 'notify' }),
    needs: 'roles.manage',
    status: 200,
  },
  {
    method: 'POST',
    path: (t) => `/accounts/${t.accountId}/key-policy/preview`,
    body: () => ({ maxLifetimeDays: 30 }),
    needs: 'member',
    status: 200,
  },
  { method: 'GET', path: (t) => `/keys/${t.keyId}`, needs: 'member', status: 200 },
  { method: 'GET', path: (t) => `/keys/${t.keyId}/usage`, needs: 'member', status: 200 },
  {
    method: 'PATCH',
    path: (t) => `/keys/${t.keyId}/scopes`,
    body: () => ({ scopes: ['tests.read'] }),
    needs: 'settings.manage',
    status: 200,
  },
  {
    method: 'POST',
    path: (t) => `/keys/${t.keyId}/rotate`,
    body: () => ({ grace: '1h' }),
    needs: 'settings.manage',
    status: 200,
  },
  {
    method: 'PATCH',
    path: (t) => `/keys/${t.keyId}/expiry`,
    body: () => ({ expires: '45d' }),
    needs: 'settings.manage',
    status: 200,
  },
  { method: 'POST', path: (t) => `/keys/${t.keyId}/revoke`, needs: 'settings.manage', status: 200 },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/webhooks`, needs: 'member', status: 200 },
  {
    method: 'POST',
    path: (t) => `/projects/${t.projectId}/webhooks`,
    body: () => ({ url: 'https://hooks.example.test/in', events: ['action.created'] }),
    needs: 'settings.manage',
    status: 201,
  },
  {
    method: 'POST',
    path: (t) => `/webhooks/${t.webhookId}/rotate-secret`,
    needs: 'settings.manage',
    status: 200,
  },
  { method: 'DELETE', path: (t) => `/webhooks/${t.webhookId}`, needs: 'settings.manage', status: 204 },
  { method: 'GET', path: (t) => `/webhooks/${t.webhookId}/attempts`, needs: 'member', status: 200 },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/activity`, needs: 'member', status: 200 },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/activity/series`, needs: 'member', status: 200 },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/activity/keys`, needs: 'member', status: 200 },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/activity/export`, needs: 'member', status: 200 },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/history/export`, needs: 'member', status: 200 },
  {
    method: 'GET',
    path: (t) => `/accounts/${t.accountId}/activity/${t.activityId}`,
    needs: 'member',
    status: 200,
  },
  { method: 'GET', path: (t) => `/accounts/${t.accountId}/connected-apps`, needs: 'member', status: 200 },
  // Another user's grant: settings.manage (a grant's own user may also revoke it: test/connected-apps.test.ts).
  {
    method: 'POST',
    path: (t) => `/connected-apps/${t.grantId}/revoke`,
    needs: 'settings.manage',
    status: 200,
  },
]

const name = (e: Endpoint) =>
  `${e.method} ${e.path({ accountId: ':accountId', projectId: ':projectId', keyId: ':keyId', webhookId: ':webhookId', invitationId: ':invitationId', memberId: ':userId', activityId: ':activityId', grantId: ':grantId' })}`
const allowed = (role: Role, needs: Endpoint['needs']) => needs === 'member' || roleHas(role, needs)

let keyward: Keyward
let app: FastifyInstance
let accountId: string
let projectId: string
let owner: Actor & { kind: 'user' }
const clients = {} as Record<Role | 'outsider', DashboardClient>

const countEvents = async () =>
  Number(
    (
      await keyward.database.db
        .selectFrom('management_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

async function freshTargets(): Promise<Targets> {
  const key = await keyward.services.keys.create(operator, { projectId, name: 'Target key' })
  const webhook = await keyward.services.webhooks.create(operator, {
    projectId,
    url: 'https://hooks.example.test/target',
    events: ['action.created'],
  })
  const { invitation } = await keyward.services.team.createInvitation(owner, {
    accountId,
    email: `invitee-${Math.random()}@example.test`,
    role: 'member',
  })
  const viewer = await newUser(keyward, 'target')
  await keyward.services.accounts.addMember(operator, { accountId, userId: viewer.userId, role: 'viewer' })
  await keyward.storage.activity.insertMany([
    { ...keylessRequest, id: '', at: Date.now(), accountId, projectId, keyId: key.id, status: 200 },
  ])
  // The store gives the row its id (its time, see activity-codec.js).
  const [stored] = await keyward.storage.activity.listByAccount(accountId, { limit: 1 })
  const activityId = stored?.id as string
  const grant = await keyward.services.grants.record(owner, {
    id: randomUUID(),
    projectId,
    userId: owner.userId,
    clientId: 'target-client',
    clientName: 'Target app',
    redirectHost: 'localhost',
    scopes: ['tests.read'],
  })
  return {
    grantId: grant.id,
    accountId,
    projectId,
    keyId: key.id,
    webhookId: webhook.id,
    invitationId: invitation.id,
    memberId: viewer.userId,
    activityId,
  }
}

beforeAll(async () => {
  keyward = await testKeyward()
  app = await buildApp({ ...appDeps(keyward), logLevel: 'silent' })
  const team = await teamWithProject(keyward, ['member', 'viewer'])
  accountId = team.account.id
  projectId = team.project.id
  owner = team.owner
  const outsider = await teamWithProject(keyward)
  for (const role of ['owner', 'member', 'viewer'] as const) {
    const user = team.members[role]
    if (!user) throw new Error(`no ${role}`)
    clients[role] = await signedIn(app, keyward, user.userId)
  }
  clients.outsider = await signedIn(app, keyward, outsider.owner.userId)
})
afterAll(async () => {
  await app.close()
  await keyward.close()
})

describe.each(endpoints)('dashboard API $method', (endpoint) => {
  const label = name(endpoint)
  const send = async (client: DashboardClient, targets: Targets, options = {}) =>
    client.request(endpoint.method, endpoint.path(targets), endpoint.body?.(targets), options)

  it.each(['owner', 'member', 'viewer'] as const)(
    `${label}: as %s, allowed only with its permission`,
    async (role) => {
      const targets = await freshTargets()
      const before = await countEvents()
      const response = await send(clients[role], targets)
      if (allowed(role, endpoint.needs)) {
        expect(response.statusCode, response.body).toBe(endpoint.status)
      } else {
        expect(response.statusCode, response.body).toBe(403)
        expect(response.json()).toMatchObject({ error: 'forbidden', status: 403 })
        expect(await countEvents()).toBe(before)
      }
    },
  )

  it(`${label}: a member of another account gets 404, as for ids that do not exist, and changes nothing`, async () => {
    const targets = await freshTargets()
    const before = await countEvents()
    const response = await send(clients.outsider, targets)
    expect(response.statusCode, response.body).toBe(404)
    expect(response.json()).toMatchObject({ error: 'not_found', status: 404 })
    expect(await countEvents()).toBe(before)
    // Not even the message tells an existing object from a missing one.
    const missing = Object.fromEntries(
      Object.keys(targets).map((k) => [k, randomUUID()]),
    ) as unknown as Targets
    expect((await send(clients.outsider, missing)).json()).toEqual(response.json())
  })

  it(`${label}: without a session, 401`, async () => {
    const targets = await freshTargets()
    const anonymous = new (clients.owner.constructor as typeof DashboardClient)(app)
    const response = await send(anonymous, targets)
    // A state-changing request without a session fails the CSRF check first (it has no secret cookie): also refused.
    expect([401, 403]).toContain(response.statusCode)
    if (endpoint.method === 'GET')
      expect(response.json()).toMatchObject({ error: 'unauthorized', status: 401 })
  })

  it(`${label}: an API key in Authorization is not a credential here`, async () => {
    const targets = await freshTargets()
    const { key } = await keyward.services.keys.create(operator, { projectId, name: 'Bearer' })
    const anonymous = new (clients.owner.constructor as typeof DashboardClient)(app)
    const response = await send(anonymous, targets, { headers: { authorization: `Bearer ${key}` } })
    expect(response.statusCode, response.body).toBe(401)
  })

  if (endpoint.method !== 'GET') {
    it(`${label}: without the CSRF token, or with a wrong one, 403 and nothing changes`, async () => {
      const targets = await freshTargets()
      const before = await countEvents()
      for (const csrf of [false, 'forged-token'] as const) {
        const response = await send(clients.owner, targets, { csrf })
        expect(response.statusCode, response.body).toBe(403)
        expect(response.json()).toEqual({ error: 'forbidden', message: 'Invalid CSRF token', status: 403 })
      }
      expect(await countEvents()).toBe(before)
    })
  }
})

describe('raw keys and secrets', () => {
  it('a raw key is in the create answer only, never in a list or detail', async () => {
    const create = await clients.owner.request('POST', `/accounts/${accountId}/keys`, {
      projectId,
      name: 'Shown once',
      expires: 'never',
      scopes: null,
    })
    expect(create.statusCode).toBe(201)
    expect(create.headers['cache-control']).toBe('no-store')
    const { key, rawKey } = create.json()
    expect(rawKey).toMatch(/^dtk_live_[0-9a-f]{64}$/)
    expect(key.scopes).toBeNull()
    await clients.owner.request('PATCH', `/keys/${key.id}/scopes`, { scopes: ['tests.read'] })
    const reads = [
      `/accounts/${accountId}/keys?pageSize=100`,
      `/keys/${key.id}`,
      `/accounts/${accountId}/history`,
      `/accounts/${accountId}/overview`,
      `/accounts/${accountId}/activity/keys`,
      `/accounts/${accountId}/history/export?format=ndjson`,
      `/accounts/${accountId}/history/export?format=csv`,
    ]
    for (const path of reads) {
      const response = await clients.owner.request('GET', path)
      expect(response.statusCode).toBe(200)
      expect(response.body).not.toContain(rawKey)
      expect(response.body).not.toContain(rawKey.slice(9, 40))
    }
  })

  it('a Viewer cannot create a key with a crafted request, and no key row appears', async () => {
    const before = await keyward.database.db.selectFrom('api_keys').select('id').execute()
    const response = await clients.viewer.request('POST', `/accounts/${accountId}/keys`, {
      projectId,
      name: 'Sneaky',
      expires: 'never',
      scopes: null,
    })
    expect(response.statusCode).toBe(403)
    expect(response.json().message).toBe('This requires the settings.manage permission')
    expect(await keyward.database.db.selectFrom('api_keys').select('id').execute()).toHaveLength(
      before.length,
    )
  })

  it('a project of another account cannot be named to create a key in it', async () => {
    const other = await teamWithProject(keyward)
    await keyward.services.accounts.addMember(operator, {
      accountId: other.account.id,
      userId: owner.userId,
      role: 'owner',
    })
    const response = await clients.owner.request('POST', `/accounts/${accountId}/keys`, {
      projectId: other.project.id,
      name: 'Cross',
      expires: 'never',
      scopes: null,
    })
    expect(response.statusCode).toBe(404)
    const keys = await keyward.database.db
      .selectFrom('api_keys')
      .select('id')
      .where('project_id', '=', other.project.id)
      .execute()
    expect(keys).toHaveLength(0)
  })

  it('bad input is a 400 naming the parameter, and changes nothing', async () => {
    const before = await countEvents()
    const cases: Array<[string, unknown, RegExp]> = [
      [`/accounts/${accountId}/keys`, { projectId, name: '', expires: 'never', scopes: null }, /name/i],
      [
        `/accounts/${accountId}/keys`,
        { projectId, name: 'x'.repeat(101), expires: 'never', scopes: null },
        /100/,
      ],
      [`/accounts/${accountId}/keys`, { projectId, name: 'A', expires: '30m', scopes: null }, /expiration/],
      [
        `/accounts/${accountId}/keys`,
        { projectId, name: 'A', expires: '2020-01-01', scopes: null },
        /expiration/,
      ],
      [
        `/accounts/${accountId}/keys`,
        { projectId, name: 'A', expires: 'never', scopes: ['nope.read'] },
        /nope\.read/,
      ],
      [
        `/accounts/${accountId}/keys`,
        { projectId, name: 'A', expires: 'never', scopes: [] },
        /at least one scope/,
      ],
      [
        `/projects/${projectId}/webhooks`,
        { url: 'http://plain.example.test', events: ['action.created'] },
        /https/,
      ],
    ]
    for (const [path, body, message] of cases) {
      const response = await clients.owner.request('POST', path, body)
      expect(response.statusCode, path).toBe(400)
      expect(response.json().message).toMatch(message)
    }
    const backwards = await clients.owner.request('GET', `/accounts/${accountId}/activity/series?from=2&to=1`)
    expect(backwards.statusCode).toBe(400)
    expect(backwards.json().message).toBe('Invalid query parameters: from (after to)')
    // However wide the range asked for, the chart stays a few dozen bars (no answer grows with the span).
    const widest = await clients.owner.request(
      'GET',
      `/accounts/${accountId}/activity/series?from=0&to=8640000000000000`,
    )
    expect(widest.statusCode).toBe(200)
    expect(widest.json().data.length).toBeLessThanOrEqual(73)
    const query = await clients.owner.request('GET', `/accounts/${accountId}/keys?pageSize=1000`)
    expect(query.statusCode).toBe(400)
    expect(query.json().message).toBe('Invalid query parameters: pageSize (at most 100)')
    const reads: Array<[string, string]> = [
      [`/accounts/${accountId}/activity?reason=because`, 'Invalid query parameters: reason'],
      [`/accounts/${accountId}/activity?status=99`, 'Invalid query parameters: status'],
      [`/accounts/${accountId}/activity?before=yesterday`, 'Invalid query parameters: before'],
      [`/accounts/${accountId}/history?before=1_`, 'Invalid query parameters: before'],
      [`/accounts/${accountId}/keys?search=${'x'.repeat(101)}`, 'Invalid query parameters: search'],
    ]
    for (const [path, message] of reads) {
      const response = await clients.owner.request('GET', path)
      expect(response.statusCode, path).toBe(400)
      // The parameter is named first; where its schema lists the allowed values, they follow in parentheses.
      expect(response.json().message.split(' (')[0]).toBe(message)
    }
    expect(await countEvents()).toBe(before)
  })
})
