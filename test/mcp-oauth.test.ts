import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { operator } from '../src/core/model.ts'
import { scopeCatalogue } from '../src/core/scopes.ts'
import { appDeps, type Keyward, mcpOAuthDeps } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { routesUnderTest } from './support/api.ts'
import { budgetLimiter } from './support/budget-limiter.ts'
import { testDatabases } from './support/databases.ts'
import { newUser, teamWithProject, testKeyward } from './support/keyward.ts'
import { connectMcp, mcpUrl, rawMcp, toolCall } from './support/mcp.ts'
import { grantAndToken, mintAccessToken, tamperedToken, unsignedToken } from './support/oauth-tokens.ts'

const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const toolsFor = (scopes: readonly string[]) =>
  routesUnderTest.filter((r) => r.scope === null || scopes.includes(r.scope)).map((r) => r.tool.name)

describe.each(testDatabases)('MCP with OAuth access tokens on $name', (database) => {
  let keyward: Keyward
  let app: FastifyInstance
  let url: string
  let team: Awaited<ReturnType<typeof teamWithProject>>
  const limits = budgetLimiter()
  const clients: Client[] = []
  const connect = async (token: string) => {
    const client = await connectMcp(url, token)
    clients.push(client)
    return client
  }
  const metadataUrl = () => `${keyward.config.publicUrl}/.well-known/oauth-protected-resource/api/mcp`

  beforeAll(async () => {
    keyward = await testKeyward({ database })
    team = await teamWithProject(keyward, ['member', 'viewer'])
    app = await buildApp({
      ...appDeps(keyward),
      ...mcpOAuthDeps(keyward),
      rateLimiter: limits.limiter,
      logLevel: 'silent',
    })
    url = await mcpUrl(app)
  })
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => {})
    await app.close()
    await keyward.close()
  })

  it('lists exactly the granted tools to the SDK client, and refuses the others with forbidden: and the challenge', async () => {
    const scopes = ['visibility.read', 'webhooks.read'] as const
    const { grant, token } = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes,
    })
    const client = await connect(token)
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(toolsFor(scopes))
    const refused = await client.callTool({
      name: 'devtune_create_webhook',
      arguments: { url: 'https://example.com/h', events: ['visibility.changed'] },
    })
    expect(refused.isError).toBe(true)
    expect(refused.content).toEqual([
      { type: 'text', text: 'forbidden: This API key lacks the required scope: webhooks.write' },
    ])
    const raw = await rawMcp(url, toolCall('devtune_list_webhooks'), bearer(token))
    expect(raw.status).toBe(200)
    expect(raw.json.result.isError).toBeFalsy()
    // devtune_whoami describes the connection: its grant, named by its client (checked by the SDK's output schema).
    const whoami = await client.callTool({ name: 'devtune_whoami', arguments: {} })
    expect(whoami.isError).toBeFalsy()
    expect(whoami.structuredContent).toMatchObject({
      id: grant.id,
      name: 'Claude Code',
      prefix: '',
      projectId: team.project.id,
      scopes: [...scopes],
      expiresAt: null,
      rateLimit: { limit: 500 },
    })
    const forbidden = await rawMcp(url, toolCall('devtune_get_adoption_metrics'), bearer(token))
    expect(forbidden.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="adoption.read", resource_metadata="${metadataUrl()}"`,
    )
    expect(forbidden.json.result.content[0].text).toMatch(/^forbidden: .*adoption\.read$/)
  })

  it('narrows a grant at once when its user’s role drops, and ends it when the user leaves', async () => {
    const user = team.members.member as NonNullable<typeof team.members.member>
    const scopes = ['actions.read', 'actions.write'] as const
    const { token } = await grantAndToken(keyward, { user, projectId: team.project.id, scopes })
    const names = async () =>
      (await rawMcp(url, listTools, bearer(token))).json.result.tools.map((t: { name: string }) => t.name)
    expect(await names()).toEqual(toolsFor(scopes))
    await keyward.services.team.changeRole(team.owner, {
      accountId: team.account.id,
      userId: user.userId,
      role: 'viewer',
    })
    expect(await names()).toEqual(toolsFor(['actions.read']))
    await keyward.services.team.changeRole(team.owner, {
      accountId: team.account.id,
      userId: user.userId,
      role: 'member',
    })
    expect(await names()).toEqual(toolsFor(scopes))

    await keyward.services.team.removeMember(team.owner, { accountId: team.account.id, userId: user.userId })
    const cut = await rawMcp(url, listTools, bearer(token))
    expect(cut.status).toBe(401)
    const [grant] = (await keyward.services.grants.list(operator, { accountId: team.account.id })).filter(
      (g) => g.userId === user.userId,
    )
    expect(grant?.status).toBe('revoked')
    // Back in the team, the grant stays ended: consent is given again, not restored.
    await keyward.services.accounts.addMember(operator, {
      accountId: team.account.id,
      userId: user.userId,
      role: 'member',
    })
    expect((await rawMcp(url, listTools, bearer(token))).status).toBe(401)
  })

  it('refuses a revoked grant on its next request, and its History names the revocation', async () => {
    const { grant, token } = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes: ['tests.read'],
    })
    expect((await rawMcp(url, listTools, bearer(token))).status).toBe(200)
    await keyward.services.grants.revoke(team.owner, { grantId: grant.id })
    const refused = await rawMcp(url, listTools, bearer(token))
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", resource_metadata="${metadataUrl()}"`,
    )
    const events = await keyward.storage.events.listByAccount(team.account.id, 50)
    expect(events.find((e) => e.targetId === grant.id)).toMatchObject({
      action: 'oauth_grant.revoked',
      targetType: 'oauth_grant',
      actor: { kind: 'user', userId: team.owner.userId },
    })
  })

  it('ends a grant the authorization server gave up (a refresh token reused), as the operator', async () => {
    const { grant, token } = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes: ['tests.read'],
    })
    const revokedByProvider: string[] = []
    keyward.services.grants.attachTokenRevoker({
      async revokeByGrantId(grantId) {
        revokedByProvider.push(grantId)
      },
    })
    expect((await rawMcp(url, listTools, bearer(token))).status).toBe(200)
    expect(await keyward.services.grants.revokedByProvider(grant.id)).toBe(true)
    expect(await keyward.services.grants.revokedByProvider(grant.id)).toBe(false) // once
    expect((await rawMcp(url, listTools, bearer(token))).status).toBe(401)
    const events = await keyward.storage.events.listByAccount(team.account.id, 50)
    expect(events.find((e) => e.targetId === grant.id)).toMatchObject({
      action: 'oauth_grant.revoked',
      actor: { kind: 'operator' },
      details: { reason: 'authorization_server' },
    })
    // The provider itself started this one: it is not asked to revoke again. A revocation from Keyward asks it.
    expect(revokedByProvider).toEqual([])
    const other = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes: ['tests.read'],
    })
    await keyward.services.grants.revoke(team.owner, { grantId: other.grant.id })
    expect(revokedByProvider).toEqual([other.grant.id])
  })

  it('answers tampered, unsigned, expired, foreign and garbage tokens with the one 401 and the discovery challenge', async () => {
    const { grant, token } = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes: ['visibility.read'],
    })
    const mint = (extra: object) =>
      mintAccessToken(keyward, {
        grantId: grant.id,
        userId: team.owner.userId,
        scopes: ['visibility.read'],
        ...extra,
      })
    const bad = {
      tampered: tamperedToken(token, { scope: scopeCatalogue.join(' ') }),
      unsigned: unsignedToken(token),
      expired: await mint({ expiresIn: -10 }),
      otherAudience: await mint({ audience: 'https://elsewhere.example/api/mcp' }),
      otherIssuer: await mint({ issuer: 'https://elsewhere.example' }),
      notAnAccessToken: await mint({ typ: 'JWT' }),
      unknownGrant: await mint({ grantId: 'no-such-grant' }),
      otherUser: await mint({ userId: team.members.viewer?.userId }),
      otherClient: await mint({ clientId: 'another-client' }),
      garbage: 'eyJhbGciOiJFUzI1NiJ9.bm9wZQ.c2ln',
    }
    const requestIds: Record<string, string> = {}
    for (const [name, candidate] of Object.entries(bad)) {
      const refused = await rawMcp(url, listTools, bearer(candidate))
      requestIds[name] = refused.headers.get('x-request-id') as string
      expect(refused.status, name).toBe(401)
      expect(refused.json, name).toEqual({
        error: 'unauthorized',
        message: 'Invalid or missing API key',
        status: 401,
      })
      expect(refused.headers.get('www-authenticate'), name).toBe(
        `Bearer error="invalid_token", resource_metadata="${metadataUrl()}"`,
      )
    }
    const none = await rawMcp(url, listTools)
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl()}"`)
    // The genuine token still works: nothing above poisoned a cache.
    expect((await rawMcp(url, listTools, bearer(token))).status).toBe(200)
    // Each refusal's reason, in the keys' vocabulary (src/core/activity-reason.ts); an expired token names its grant.
    await keyward.activity.flush()
    const rows = await keyward.database.db
      .selectFrom('activity')
      .select(['request_id', 'reason', 'key_id'])
      .where('request_id', 'in', Object.values(requestIds))
      .execute()
    const reasonOf = (name: string) => rows.find((row) => row.request_id === requestIds[name])
    expect(Object.keys(bad).map((name) => [name, reasonOf(name)?.reason, reasonOf(name)?.key_id])).toEqual([
      ['tampered', 'bad_checksum', null],
      ['unsigned', 'malformed', null],
      ['expired', 'expired', grant.id],
      ['otherAudience', 'unknown_key', null],
      ['otherIssuer', 'unknown_key', null],
      ['notAnAccessToken', 'malformed', null],
      ['unknownGrant', 'unknown_key', null],
      ['otherUser', 'unknown_key', null],
      ['otherClient', 'unknown_key', null],
      ['garbage', 'bad_checksum', null], // its signature is checked first, and fails
    ])
  })

  it('keeps the REST API key-only: an access token there is the generic 401 without OAuth discovery', async () => {
    const { token } = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes: ['webhooks.read'],
    })
    const response = await app.inject({
      url: `/api/v2/projects/${team.project.id}/webhooks`,
      headers: bearer(token),
    })
    expect(response.statusCode).toBe(401)
    expect(response.json()).toEqual({
      error: 'unauthorized',
      message: 'Invalid or missing API key',
      status: 401,
    })
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
  })

  it('serves the protected resource metadata (RFC 9728) at its address and the bare one', async () => {
    const base = url.replace(/\/api\/mcp$/, '')
    for (const path of [
      '/.well-known/oauth-protected-resource/api/mcp',
      '/.well-known/oauth-protected-resource',
    ]) {
      const response = await fetch(`${base}${path}`)
      expect(response.status, path).toBe(200)
      expect(await response.json()).toEqual({
        resource: `${keyward.config.publicUrl}/api/mcp`,
        authorization_servers: [keyward.config.publicUrl],
        scopes_supported: [...scopeCatalogue],
        bearer_methods_supported: ['header'],
        resource_name: 'Keyward MCP server',
      })
    }
    expect((await fetch(`${base}/.well-known/oauth-protected-resource/elsewhere`)).status).toBe(404)
  })

  it('follows the account policy: keys or OAuth switched off on MCP are refused with 403, REST untouched', async () => {
    const { account, project, owner } = await teamWithProject(keyward)
    const { token } = await grantAndToken(keyward, {
      user: owner,
      projectId: project.id,
      scopes: ['webhooks.read'],
    })
    const key = (await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })).key
    const status = async (credential: string) => (await rawMcp(url, listTools, bearer(credential))).status
    expect([await status(token), await status(key)]).toEqual([200, 200])

    await keyward.services.keyPolicy.update(owner, { accountId: account.id, change: { mcpKeys: false } })
    const refusedKey = await rawMcp(url, listTools, bearer(key))
    expect(refusedKey.status).toBe(403)
    expect(refusedKey.json.message).toMatch(/does not allow API keys on MCP/)
    expect(await status(token)).toBe(200)
    const rest = await app.inject({ url: `/api/v2/projects/${project.id}/webhooks`, headers: bearer(key) })
    expect(rest.statusCode).toBe(200)

    await keyward.services.keyPolicy.update(owner, {
      accountId: account.id,
      change: { mcpKeys: true, mcpOAuth: false },
    })
    expect(await status(key)).toBe(200)
    const refusedToken = await rawMcp(url, listTools, bearer(token))
    expect(refusedToken.status).toBe(403)
    expect(refusedToken.json.message).toMatch(/does not allow OAuth on MCP/)
    await keyward.activity.flush()
    const rows = await keyward.storage.activity.listByAccount(account.id, { limit: 20 })
    expect(rows.filter((r) => r.reason === 'mcp_disabled').map((r) => r.status)).toEqual([403, 403])
  })

  it('records a consent within the role only, once per grant id', async () => {
    const viewer = team.members.viewer as NonNullable<typeof team.members.viewer>
    const consent = {
      projectId: team.project.id,
      userId: viewer.userId,
      clientId: 'c',
      redirectHost: 'localhost',
    }
    await expect(
      keyward.services.grants.record(viewer, {
        ...consent,
        id: 'too-wide',
        clientName: 'X',
        scopes: ['actions.write'],
      }),
    ).rejects.toThrow('These scopes exceed your role in this team')
    await expect(
      keyward.services.grants.record(team.owner, {
        ...consent,
        id: 'not-mine',
        clientName: 'X',
        scopes: ['tests.read'],
      }),
    ).rejects.toThrow('Only the user may grant access')
    const { grant, token } = await grantAndToken(keyward, {
      user: viewer,
      projectId: team.project.id,
      scopes: ['tests.read'],
    })
    const names = async (t: string) =>
      (await rawMcp(url, listTools, bearer(t))).json.result.tools.map((tool: { name: string }) => tool.name)
    expect(await names(token)).toEqual(toolsFor(['tests.read']))
    // The authorization server never reuses a grant: the same id again is refused and changes nothing.
    await expect(
      keyward.services.grants.record(viewer, {
        ...consent,
        id: grant.id,
        clientId: grant.clientId,
        clientName: 'Claude Code',
        scopes: ['tests.read', 'webhooks.read'],
      }),
    ).rejects.toMatchObject({ code: 'conflict' })
    expect(await names(token)).toEqual(toolsFor(['tests.read']))
    await keyward.services.grants.revoke(viewer, { grantId: grant.id })
    await expect(
      keyward.services.grants.record(viewer, {
        ...consent,
        id: grant.id,
        clientId: grant.clientId,
        clientName: 'Claude Code',
        scopes: ['tests.read'],
      }),
    ).rejects.toMatchObject({ code: 'conflict' })
  })

  it('ends every grant of a deleted team at once', async () => {
    const doomed = await teamWithProject(keyward)
    const { grant, token } = await grantAndToken(keyward, {
      user: doomed.owner,
      projectId: doomed.project.id,
      scopes: ['tests.read'],
    })
    expect((await rawMcp(url, listTools, bearer(token))).status).toBe(200)
    await keyward.services.teamSettings.delete(doomed.owner, {
      accountId: doomed.account.id,
      confirmName: doomed.account.name,
    })
    expect((await rawMcp(url, listTools, bearer(token))).status).toBe(401)
    const events = await keyward.storage.events.listByAccount(doomed.account.id, 20)
    expect(events.find((e) => e.targetId === grant.id)).toMatchObject({
      action: 'oauth_grant.revoked',
      details: { reason: 'account_deleted' },
    })
  })

  it('refuses a grant of a team whose plan has no API access, as it refuses its keys', async () => {
    const user = await newUser(keyward, 'free')
    const account = await keyward.services.accounts.create(user, { name: 'Free', plan: 'free' })
    const project = await keyward.services.projects.create(user, { accountId: account.id, name: 'F' })
    const { token } = await grantAndToken(keyward, { user, projectId: project.id, scopes: ['tests.read'] })
    const refused = await rawMcp(url, listTools, bearer(token))
    expect(refused.status).toBe(403)
    expect(refused.json).toEqual({
      error: 'forbidden',
      message: 'API access requires a Plus plan or higher',
      status: 403,
    })
  })

  it('limits each grant by its plan, apart from other grants', async () => {
    const first = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes: ['tests.read'],
    })
    const second = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes: ['tests.read'],
    })
    limits.setBudget(first.grant.id, 1)
    const ok = await rawMcp(url, listTools, bearer(first.token))
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-ratelimit-limit')).toBe('500') // the pro plan's, as for a key
    const limited = await rawMcp(url, listTools, bearer(first.token))
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).not.toBeNull()
    expect((await rawMcp(url, listTools, bearer(second.token))).status).toBe(200)
  })

  it('records each call as an activity row of the grant, and its last use', async () => {
    const { grant, token } = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes: ['webhooks.read'],
      clientName: 'Cursor',
    })
    await rawMcp(url, toolCall('devtune_list_webhooks'), bearer(token))
    await rawMcp(url, toolCall('devtune_get_visibility_summary'), bearer(token))
    await keyward.activity.flush()
    const rows = (await keyward.storage.activity.listByAccount(team.account.id, { limit: 50 })).filter(
      (r) => r.keyId === grant.id,
    )
    expect(rows.map((r) => [r.route, r.status, r.reason]).sort()).toEqual([
      ['devtune_get_visibility_summary', 403, 'missing_scope'],
      ['devtune_list_webhooks', 200, null],
    ])
    const [listed] = (await keyward.services.grants.list(operator, { accountId: team.account.id })).filter(
      (g) => g.id === grant.id,
    )
    expect(listed?.lastUsedAt).not.toBeNull()
  })
})
