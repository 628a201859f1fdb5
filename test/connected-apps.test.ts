import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appDeps, type Keyward, mcpOAuthDeps } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { type DashboardClient, signedIn } from './support/dashboard.ts'
import { testDatabases } from './support/databases.ts'
import { newUser, teamWithProject, testKeyward } from './support/keyward.ts'
import { mcpUrl, rawMcp } from './support/mcp.ts'
import { grantAndToken } from './support/oauth-tokens.ts'

const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

describe.each(testDatabases)('Connected apps in the dashboard API on $name', (database) => {
  let keyward: Keyward
  let app: FastifyInstance
  let url: string
  let team: Awaited<ReturnType<typeof teamWithProject>>
  const as: Record<'owner' | 'member' | 'viewer' | 'stranger', DashboardClient> = {} as never

  beforeAll(async () => {
    keyward = await testKeyward({ database })
    team = await teamWithProject(keyward, ['member', 'viewer'])
    app = await buildApp({ ...appDeps(keyward), ...mcpOAuthDeps(keyward), logLevel: 'silent' })
    url = await mcpUrl(app)
    as.owner = await signedIn(app, keyward, team.owner.userId)
    as.member = await signedIn(app, keyward, team.members.member?.userId as string)
    as.viewer = await signedIn(app, keyward, team.members.viewer?.userId as string)
    as.stranger = await signedIn(app, keyward, (await newUser(keyward, 'stranger')).userId)
  })
  afterAll(async () => {
    await app.close()
    await keyward.close()
  })

  const appsPath = () => `/accounts/${team.account.id}/connected-apps`

  it('lists every grant of the account with its client, user, project and scopes, to any member', async () => {
    const { grant } = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes: ['visibility.read', 'actions.write'],
      clientName: 'Claude Code',
    })
    const owner = await keyward.users.findById(team.owner.userId)
    for (const client of [as.owner, as.viewer]) {
      const response = await client.request('GET', appsPath())
      expect(response.statusCode).toBe(200)
      expect(response.json().items.find((item: { id: string }) => item.id === grant.id)).toEqual({
        id: grant.id,
        clientId: grant.clientId,
        clientName: 'Claude Code',
        redirectHost: '127.0.0.1',
        user: { id: owner?.id, email: owner?.email, name: owner?.name },
        project: { id: team.project.id, name: team.project.name },
        scopes: ['visibility.read', 'actions.write'],
        createdAt: grant.createdAt,
        lastUsedAt: null,
        revokedAt: null,
        status: 'active',
      })
    }
    expect((await as.stranger.request('GET', appsPath())).statusCode).toBe(404)
  })

  it('lets settings.manage or the grant’s own user revoke it; the next MCP call is refused', async () => {
    const ofOwner = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes: ['tests.read'],
    })
    const viewer = team.members.viewer as NonNullable<typeof team.members.viewer>
    const ofViewer = await grantAndToken(keyward, {
      user: viewer,
      projectId: team.project.id,
      scopes: ['tests.read'],
    })
    const revoke = (client: DashboardClient, grantId: string, csrf = true) =>
      client.request('POST', `/connected-apps/${grantId}/revoke`, undefined, { csrf })

    expect((await revoke(as.viewer, ofOwner.grant.id)).statusCode).toBe(403)
    expect((await revoke(as.stranger, ofOwner.grant.id)).statusCode).toBe(404)
    expect((await revoke(as.member, ofOwner.grant.id, false)).statusCode).toBe(403)
    expect((await rawMcp(url, listTools, bearer(ofOwner.token))).status).toBe(200)

    // The authorization server's rows of the grant (its tokens, and its own Grant) go with it; others stay.
    const providerRow = (model: string, id: string, grantId: string | null) => ({
      model,
      id,
      payload: '{}',
      grant_id: grantId,
      uid: null,
      expires_at: null,
      consumed_at: null,
    })
    await keyward.database.db
      .insertInto('oauth_store')
      .values([
        providerRow('AccessToken', 'at-1', ofOwner.grant.id),
        providerRow('RefreshToken', 'rt-1', ofOwner.grant.id),
        providerRow('Grant', ofOwner.grant.id, null),
        providerRow('RefreshToken', 'rt-2', ofViewer.grant.id),
      ])
      .execute()
    const byMember = await revoke(as.member, ofOwner.grant.id)
    const left = await keyward.database.db.selectFrom('oauth_store').select(['model', 'id']).execute()
    expect(left.filter((r) => ['at-1', 'rt-1', 'rt-2', ofOwner.grant.id].includes(r.id))).toEqual([
      { model: 'RefreshToken', id: 'rt-2' },
    ])
    expect(byMember.statusCode).toBe(200)
    expect(byMember.json()).toMatchObject({ id: ofOwner.grant.id, status: 'revoked' })
    expect((await rawMcp(url, listTools, bearer(ofOwner.token))).status).toBe(401)

    expect((await rawMcp(url, listTools, bearer(ofViewer.token))).status).toBe(200)
    const byOwnUser = await revoke(as.viewer, ofViewer.grant.id)
    expect(byOwnUser.statusCode).toBe(200)
    expect((await rawMcp(url, listTools, bearer(ofViewer.token))).status).toBe(401)
    // Again: nothing changes, nothing more is recorded.
    expect((await revoke(as.owner, ofViewer.grant.id)).json()).toMatchObject({
      revokedAt: byOwnUser.json().revokedAt,
    })
    const events = await keyward.storage.events.listByAccount(team.account.id, 100)
    expect(events.filter((e) => e.targetId === ofViewer.grant.id).map((e) => e.action)).toEqual([
      'oauth_grant.revoked',
      'oauth_grant.created',
    ])
    expect((await as.owner.request('POST', '/connected-apps/no-such-grant/revoke')).statusCode).toBe(404)
  })

  it('names the client and the user on every Agent Activity row of a grant, and none on a key’s', async () => {
    const member = team.members.member as NonNullable<typeof team.members.member>
    const { grant, token } = await grantAndToken(keyward, {
      user: member,
      projectId: team.project.id,
      scopes: ['webhooks.read'],
      clientName: 'Cursor',
    })
    const key = (await keyward.services.keys.create(team.owner, { projectId: team.project.id, name: 'ci' }))
      .key
    const call = (credential: string, name: string) =>
      rawMcp(
        url,
        { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: {} } },
        bearer(credential),
      )
    await call(token, 'devtune_list_webhooks')
    await call(token, 'devtune_list_tests')
    await call(key, 'devtune_list_webhooks')
    await keyward.activity.flush()
    const email = (await keyward.users.findById(member.userId))?.email
    const page = await as.viewer.request('GET', `/accounts/${team.account.id}/activity?limit=100`)
    expect(page.statusCode).toBe(200)
    const rows = page.json().data as Array<{
      id: string
      keyId: string
      route: string
      status: number
      grant: unknown
    }>
    const ofGrant = rows.filter((row) => row.keyId === grant.id)
    expect(ofGrant.map((row) => [row.route, row.status]).sort()).toEqual([
      ['devtune_list_tests', 403],
      ['devtune_list_webhooks', 200],
    ])
    for (const row of ofGrant)
      expect(row.grant).toEqual({ id: grant.id, clientName: 'Cursor', userEmail: email })
    const ofKey = rows.filter((row) => row.keyId !== grant.id && row.route === 'devtune_list_webhooks')
    expect(ofKey.map((row) => row.grant)).toEqual([null])
    const detail = await as.owner.request('GET', `/accounts/${team.account.id}/activity/${ofGrant[0]?.id}`)
    expect(detail.json().grant).toEqual({ id: grant.id, clientName: 'Cursor', userEmail: email })
    const exported = await as.owner.request(
      'GET',
      `/accounts/${team.account.id}/activity/export?format=ndjson`,
    )
    const records = exported.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(
      records.filter((r) => r.keyId === grant.id).map((r) => [r.grantClientName, r.grantUserEmail]),
    ).toEqual([
      ['Cursor', email],
      ['Cursor', email],
    ])
    expect(records.find((r) => r.keyId !== grant.id)).toMatchObject({
      grantClientName: null,
      grantUserEmail: null,
    })
    const overview = await as.owner.request('GET', `/accounts/${team.account.id}/overview`)
    expect(overview.json().recentActivity.some((row: { grant: unknown }) => row.grant !== null)).toBe(true)
  })
})
