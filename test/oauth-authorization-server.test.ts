import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scopeCatalogue } from '../src/core/scopes.ts'
import { testDatabases } from './support/databases.ts'
import { teamWithProject } from './support/keyward.ts'
import {
  authorizationUrl,
  CookieJar,
  consentTo,
  dashboardCall,
  followToClient,
  type OAuthServer,
  obtainToken,
  pkcePair,
  redirectUri,
  registerClient,
  signInBrowser,
  startAuthorization,
  startOAuthServer,
  tokenRequest,
} from './support/oauth-flow.ts'

describe.each(testDatabases)('MCP OAuth authorization server on $name', (database) => {
  let server: OAuthServer
  let team: Awaited<ReturnType<typeof teamWithProject>>
  /** Every grant oidc-provider revoked by itself, in order. */
  const revoked: string[] = []
  const emailOf = async (userId: string) => (await server.keyward.users.findById(userId))?.email ?? ''

  beforeAll(async () => {
    server = await startOAuthServer({
      database,
      onGrantRevoked: async (grantId) => {
        revoked.push(grantId)
        await server.keyward.services.grants.revokedByProvider(grantId)
      },
    })
    team = await teamWithProject(server.keyward, ['viewer'])
  })
  afterAll(async () => server?.close())

  const grantRow = (id: string) =>
    server.keyward.database.db.selectFrom('oauth_grants').selectAll().where('id', '=', id).executeTakeFirst()
  const ownerToken = async (scopes = ['visibility.read', 'actions.write']) =>
    obtainToken(server, { userEmail: await emailOf(team.owner.userId), projectId: team.project.id, scopes })

  /** Up to the code at the client's redirect URI, for the error cases of the token endpoint. */
  async function codeFor(scopes = ['visibility.read']) {
    const client = await registerClient(server.origin)
    const pkce = pkcePair()
    const jar = new CookieJar()
    const url = authorizationUrl(server.origin, client.client_id, pkce.challenge, { scope: scopes.join(' ') })
    const uid = await startAuthorization(jar, url)
    const csrf = await signInBrowser(server.origin, jar, await emailOf(team.owner.userId))
    const consent = await consentTo(server.origin, jar, csrf, uid, {
      projectId: team.project.id,
      scopes,
    })
    const callback = await followToClient(jar, ((await consent.json()) as { redirectTo: string }).redirectTo)
    return {
      client,
      pkce,
      callback,
      state: url.searchParams.get('state'),
      code: callback.searchParams.get('code') ?? '',
    }
  }
  const exchange = (code: string, clientId: string, verifier: string, extra: Record<string, string> = {}) =>
    tokenRequest(server.origin, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: verifier,
      ...extra,
    })
  const refresh = (refreshToken: string, clientId: string) =>
    tokenRequest(server.origin, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
    })

  describe('discovery', () => {
    it('publishes RFC 8414 metadata at the issuer (KEYWARD_PUBLIC_URL) with what MCP clients check', async () => {
      const response = await fetch(`${server.origin}/.well-known/oauth-authorization-server`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      const metadata = await response.json()
      expect(metadata).toMatchObject({
        issuer: server.origin,
        authorization_endpoint: `${server.origin}/oauth/authorize`,
        token_endpoint: `${server.origin}/oauth/token`,
        registration_endpoint: `${server.origin}/oauth/register`,
        revocation_endpoint: `${server.origin}/oauth/revoke`,
        jwks_uri: `${server.origin}/oauth/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
        scopes_supported: [...scopeCatalogue],
      })
      expect(metadata.grant_types_supported.sort()).toEqual(['authorization_code', 'refresh_token'])
      expect(metadata.token_endpoint_auth_methods_supported).toContain('none')
      expect(metadata.introspection_endpoint).toBeUndefined()
    })

    it('serves the same endpoints as OpenID discovery, and keeps the JSON 404 for path-suffixed names', async () => {
      const openid = await (await fetch(`${server.origin}/.well-known/openid-configuration`)).json()
      expect(openid).toMatchObject({ issuer: server.origin, token_endpoint: `${server.origin}/oauth/token` })
      expect(openid.code_challenge_methods_supported).toEqual(['S256'])
      const suffixed = await fetch(`${server.origin}/.well-known/oauth-authorization-server/api/mcp`)
      expect(suffixed.status).toBe(404)
      expect(await suffixed.json()).toMatchObject({ error: 'not_found' })
    })
  })

  describe('CORS, for MCP clients running in a browser', () => {
    it('answers preflights of the token endpoint and the metadata from any origin', async () => {
      const origin = 'https://client.example'
      for (const path of ['/oauth/token', '/.well-known/oauth-authorization-server']) {
        const preflight = await fetch(`${server.origin}${path}`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': path.startsWith('/oauth') ? 'POST' : 'GET' },
        })
        expect(preflight.status, path).toBe(204)
        expect(preflight.headers.get('access-control-allow-origin'), path).toBe(origin)
      }
      const metadata = await fetch(`${server.origin}/.well-known/oauth-authorization-server`, {
        headers: { origin },
      })
      expect(metadata.headers.get('access-control-allow-origin')).toBe(origin)
    })
  })

  it("leaves /oauth/consent/:uid to the dashboard's page", async () => {
    const response = await fetch(`${server.origin}/oauth/consent/some-uid`)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
  })

  describe('dynamic client registration (RFC 7591)', () => {
    it('registers a public client without an initial access token, with the scope MCP SDKs send', async () => {
      const client = await registerClient(server.origin, { scope: scopeCatalogue.join(' ') })
      expect(client).toMatchObject({
        client_name: 'Test MCP client',
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'none',
      })
      expect(client.client_id).toMatch(/\S{10,}/)
      expect(client).not.toHaveProperty('client_secret')
      expect(client).not.toHaveProperty('registration_access_token')
    })

    it('refuses a client asking for an implicit grant', async () => {
      const response = await fetch(`${server.origin}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          redirect_uris: [redirectUri],
          response_types: ['token'],
          grant_types: ['implicit'],
        }),
      })
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('invalid_client_metadata')
    })
  })

  describe('authorization code with PKCE', () => {
    it('issues a JWT access token bound to /api/mcp, verifiable with the published keys', async () => {
      const token = await ownerToken()
      const jwks = createLocalJWKSet(await (await fetch(`${server.origin}/oauth/jwks`)).json())
      const { payload, protectedHeader } = await jwtVerify(token.accessToken, jwks, {
        issuer: server.origin,
        audience: server.resource,
        typ: 'at+jwt',
        algorithms: ['ES256'],
      })
      expect(decodeProtectedHeader(token.accessToken).typ).toBe('at+jwt')
      expect(protectedHeader.alg).toBe('ES256')
      expect(payload).toMatchObject({
        sub: team.owner.userId,
        client_id: token.clientId,
        scope: 'visibility.read actions.write',
        grant_id: token.grantId,
      })
      expect(payload.jti).toEqual(expect.any(String))
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeLessThanOrEqual(3600)
      expect(token.refreshToken).toEqual(expect.any(String))
    })

    it("records Keyward's grant and a History event at consent", async () => {
      const token = await ownerToken(['visibility.read'])
      expect(await grantRow(token.grantId)).toMatchObject({
        account_id: team.account.id,
        project_id: team.project.id,
        user_id: team.owner.userId,
        client_id: token.clientId,
        client_name: 'Test MCP client',
        redirect_host: '127.0.0.1:33418',
        scopes: JSON.stringify(['visibility.read']),
        revoked_at: null,
      })
      const events = await server.keyward.storage.events.listByAccount(team.account.id, 50)
      expect(events.find((e) => e.targetId === token.grantId)).toMatchObject({
        action: 'oauth_grant.created',
        targetType: 'oauth_grant',
        actor: { kind: 'user', userId: team.owner.userId },
        details: { projectId: team.project.id, clientId: token.clientId, scopes: ['visibility.read'] },
      })
    })

    it('takes OpenID values beside the scopes, and tokens carry only the scopes the user chose', async () => {
      const token = await obtainToken(server, {
        userEmail: await emailOf(team.owner.userId),
        projectId: team.project.id,
        scopes: ['visibility.read'],
        requestScope: 'openid offline_access visibility.read tests.read',
      })
      expect(token.scope).toBe('visibility.read')
      expect(JSON.parse((await grantRow(token.grantId))?.scopes ?? '')).toEqual(['visibility.read'])
      const refreshed = await refresh(token.refreshToken, token.clientId)
      expect(refreshed.body.scope).toBe('visibility.read')
    })

    it('returns iss (RFC 9207) and the state with the code', async () => {
      const { callback, state } = await codeFor()
      expect(callback.searchParams.get('iss')).toBe(server.origin)
      expect(callback.searchParams.get('state')).toBe(state)
      expect(callback.searchParams.get('code')).toBeTruthy()
    })

    it('refuses a wrong PKCE verifier with invalid_grant', async () => {
      const { client, code } = await codeFor()
      const response = await exchange(code, client.client_id, pkcePair().verifier)
      expect(response.status).toBe(400)
      expect(response.body.error).toBe('invalid_grant')
    })

    it('refuses a code used twice with invalid_grant, and revokes its grant', async () => {
      const { client, code, pkce } = await codeFor()
      const first = await exchange(code, client.client_id, pkce.verifier)
      expect(first.status).toBe(200)
      const second = await exchange(code, client.client_id, pkce.verifier)
      expect(second.status).toBe(400)
      expect(second.body.error).toBe('invalid_grant')
      const grantId = JSON.parse(
        Buffer.from(String(first.body.access_token).split('.')[1] ?? '', 'base64url').toString(),
      ).grant_id as string
      expect(revoked).toContain(grantId)
      expect((await grantRow(grantId))?.revoked_at).toEqual(expect.any(Number))
      expect((await refresh(String(first.body.refresh_token), client.client_id)).body.error).toBe(
        'invalid_grant',
      )
    })

    it('refuses a token request for another resource with invalid_target', async () => {
      const { client, code, pkce } = await codeFor()
      const response = await exchange(code, client.client_id, pkce.verifier, {
        resource: 'https://elsewhere.test/api',
      })
      expect(response.status).toBe(400)
      expect(response.body.error).toBe('invalid_target')
    })

    it('sends an authorization request for another resource back with invalid_target', async () => {
      const client = await registerClient(server.origin)
      const url = authorizationUrl(server.origin, client.client_id, pkcePair().challenge, {
        resource: `${server.origin}/api/v2`,
      })
      const response = await fetch(url, { redirect: 'manual' })
      const location = new URL(response.headers.get('location') ?? '')
      expect(location.href.startsWith(redirectUri)).toBe(true)
      expect(location.searchParams.get('error')).toBe('invalid_target')
      expect(location.searchParams.get('iss')).toBe(server.origin)
    })

    it('refuses a redirect URI that was not registered, without redirecting', async () => {
      const client = await registerClient(server.origin)
      const url = authorizationUrl(server.origin, client.client_id, pkcePair().challenge, {
        redirect_uri: 'https://attacker.test/callback',
      })
      const response = await fetch(url, { redirect: 'manual' })
      expect(response.status).toBe(400)
      expect(response.headers.get('location')).toBeNull()
      expect((await response.json()).error).toBe('invalid_redirect_uri')
    })

    it('refuses an authorization request without PKCE, or with the plain method', async () => {
      const client = await registerClient(server.origin)
      const { verifier, challenge } = pkcePair()
      for (const params of [
        { code_challenge: undefined, code_challenge_method: undefined },
        { code_challenge: verifier, code_challenge_method: 'plain' },
      ]) {
        const url = authorizationUrl(server.origin, client.client_id, challenge, params)
        const location = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '')
        expect(location.href.startsWith(redirectUri)).toBe(true)
        expect(location.searchParams.get('error')).toBe('invalid_request')
        expect(location.searchParams.get('code')).toBeNull()
      }
    })
  })

  describe('refresh tokens', () => {
    it('rotate on every use; a reused one ends the whole grant', async () => {
      const token = await ownerToken(['visibility.read'])
      const first = await refresh(token.refreshToken, token.clientId)
      expect(first.status).toBe(200)
      const rotated = String(first.body.refresh_token)
      expect(rotated).not.toBe(token.refreshToken)
      expect(first.body.scope).toBe('visibility.read')

      const reuse = await refresh(token.refreshToken, token.clientId)
      expect(reuse.status).toBe(400)
      expect(reuse.body.error).toBe('invalid_grant')
      expect(revoked).toContain(token.grantId)
      expect((await grantRow(token.grantId))?.revoked_at).toEqual(expect.any(Number))
      expect((await refresh(rotated, token.clientId)).body.error).toBe('invalid_grant')
    })

    it('end with the grant when the client revokes one (RFC 7009)', async () => {
      const token = await ownerToken(['visibility.read'])
      const response = await fetch(`${server.origin}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: token.refreshToken, client_id: token.clientId }),
      })
      expect(response.status).toBe(200)
      expect(revoked).toContain(token.grantId)
      expect((await grantRow(token.grantId))?.revoked_at).toEqual(expect.any(Number))
      expect((await refresh(token.refreshToken, token.clientId)).body.error).toBe('invalid_grant')
    })
  })

  describe('access token revocation (RFC 7009)', () => {
    const revoke = (token: string, clientId: string) =>
      fetch(`${server.origin}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: clientId, token_type_hint: 'access_token' }),
      })

    it('ends the grant of a revoked access token (a JWT the provider does not store), and its refresh token', async () => {
      const token = await ownerToken(['visibility.read'])
      expect((await revoke(token.accessToken, token.clientId)).status).toBe(200)
      expect(revoked).toContain(token.grantId)
      expect((await grantRow(token.grantId))?.revoked_at).toEqual(expect.any(Number))
      expect((await refresh(token.refreshToken, token.clientId)).body.error).toBe('invalid_grant')
    })

    it("answers 200 and ends nothing for another client's token or a tampered one", async () => {
      const token = await ownerToken(['visibility.read'])
      const other = await registerClient(server.origin)
      const [header, payload] = token.accessToken.split('.')
      for (const [value, clientId] of [
        [token.accessToken, other.client_id],
        [`${header}.${payload}.${'A'.repeat(86)}`, token.clientId],
      ] as const) {
        expect((await revoke(value, clientId)).status).toBe(200)
      }
      expect(revoked).not.toContain(token.grantId)
      expect((await refresh(token.refreshToken, token.clientId)).status).toBe(200)
    })
  })

  describe('consent API', () => {
    async function pending(scope = 'visibility.read actions.write') {
      const client = await registerClient(server.origin)
      const jar = new CookieJar()
      const uid = await startAuthorization(
        jar,
        authorizationUrl(server.origin, client.client_id, pkcePair().challenge, { scope }),
      )
      return { client, jar, uid }
    }

    it('describes the client, the request, the lifetimes and what the user may grant where', async () => {
      const { client, jar, uid } = await pending()
      expect((await jar.fetch(`${server.origin}/api/dashboard/oauth/interactions/${uid}`)).status).toBe(401)
      const csrf = await signInBrowser(server.origin, jar, await emailOf(team.members.viewer?.userId ?? ''))
      const response = await dashboardCall(server.origin, jar, csrf, 'GET', `/oauth/interactions/${uid}`)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({
        uid,
        client: { id: client.client_id, name: 'Test MCP client', redirectHost: '127.0.0.1:33418' },
        requestedScopes: ['visibility.read', 'actions.write'],
        accessTokenLifetimeSeconds: 3600,
        refreshTokenLifetimeSeconds: 30 * 24 * 3600,
        accounts: [
          {
            id: team.account.id,
            name: 'Team',
            role: 'viewer',
            ceiling: scopeCatalogue.filter((s) => !['actions.write', 'webhooks.write'].includes(s)),
            projects: [{ id: team.project.id, name: 'Website' }],
          },
        ],
      })
      const unknown = await dashboardCall(server.origin, jar, csrf, 'GET', '/oauth/interactions/nope')
      expect(unknown.status).toBe(404)
    })

    it('refuses scopes beyond the role with 400 and writes nothing', async () => {
      const { jar, uid } = await pending()
      const csrf = await signInBrowser(server.origin, jar, await emailOf(team.members.viewer?.userId ?? ''))
      const before = await server.keyward.database.db.selectFrom('oauth_grants').select('id').execute()
      const refused = await consentTo(server.origin, jar, csrf, uid, {
        projectId: team.project.id,
        scopes: ['visibility.read', 'actions.write'],
      })
      expect(refused.status).toBe(400)
      expect((await refused.json()).message).toMatch(/invalid_scope: a viewer cannot grant actions\.write/)
      for (const scopes of [[], ['nope.read']]) {
        const bad = await consentTo(server.origin, jar, csrf, uid, {
          projectId: team.project.id,
          scopes,
        })
        expect(bad.status).toBe(400)
      }
      const after = await server.keyward.database.db.selectFrom('oauth_grants').select('id').execute()
      expect(after).toEqual(before)
      // The interaction is still there: the viewer may consent to what the role allows.
      const allowed = await consentTo(server.origin, jar, csrf, uid, {
        projectId: team.project.id,
        scopes: ['visibility.read'],
      })
      expect(allowed.status).toBe(200)
    })

    it('refuses a project of a team the user is not in with 403, and needs the CSRF token', async () => {
      const other = await teamWithProject(server.keyward)
      const { jar, uid } = await pending()
      const csrf = await signInBrowser(server.origin, jar, await emailOf(team.owner.userId))
      const body = { projectId: other.project.id, scopes: ['visibility.read'] }
      const path = `/oauth/interactions/${uid}/consent`
      expect((await dashboardCall(server.origin, jar, csrf, 'POST', path, body)).status).toBe(403)
      expect((await dashboardCall(server.origin, jar, 'forged', 'POST', path, body)).status).toBe(403)
    })

    it('answers a second consent or denial of the same request with 409, making no second grant', async () => {
      const { jar, uid } = await pending()
      const csrf = await signInBrowser(server.origin, jar, await emailOf(team.owner.userId))
      const path = `/oauth/interactions/${uid}`
      const body = { projectId: team.project.id, scopes: ['visibility.read'] }
      expect((await dashboardCall(server.origin, jar, csrf, 'POST', `${path}/consent`, body)).status).toBe(
        200,
      )
      const count = async () =>
        (await server.keyward.database.db.selectFrom('oauth_grants').select('id').execute()).length
      const before = await count()
      expect((await dashboardCall(server.origin, jar, csrf, 'POST', `${path}/consent`, body)).status).toBe(
        409,
      )
      expect((await dashboardCall(server.origin, jar, csrf, 'POST', `${path}/deny`)).status).toBe(409)
      expect(await count()).toBe(before)
    })

    it('sends the client access_denied when the user denies', async () => {
      const { jar, uid } = await pending()
      const csrf = await signInBrowser(server.origin, jar, await emailOf(team.owner.userId))
      const denied = await dashboardCall(server.origin, jar, csrf, 'POST', `/oauth/interactions/${uid}/deny`)
      expect(denied.status).toBe(200)
      const callback = await followToClient(jar, ((await denied.json()) as { redirectTo: string }).redirectTo)
      expect(callback.searchParams.get('error')).toBe('access_denied')
      expect(callback.searchParams.get('iss')).toBe(server.origin)
    })

    it("lets another user consent in a browser that holds the first user's provider session", async () => {
      const first = await ownerToken(['visibility.read'])
      const { jar } = first
      const url = authorizationUrl(server.origin, first.clientId, pkcePair().challenge, {
        scope: 'visibility.read',
      })
      const uid = await startAuthorization(jar, url)
      const viewer = team.members.viewer?.userId ?? ''
      const csrf = await signInBrowser(server.origin, jar, await emailOf(viewer))
      const consent = await consentTo(server.origin, jar, csrf, uid, {
        projectId: team.project.id,
        scopes: ['visibility.read'],
      })
      const callback = await followToClient(
        jar,
        ((await consent.json()) as { redirectTo: string }).redirectTo,
      )
      expect(callback.searchParams.get('code')).toBeTruthy()
      const grants = await server.keyward.database.db
        .selectFrom('oauth_grants')
        .select('user_id')
        .where('client_id', '=', first.clientId)
        .orderBy('created_at')
        .execute()
      expect(grants.map((g) => g.user_id)).toEqual([team.owner.userId, viewer])
    })

    it('asks again for every authorization, even for the same client in the same browser', async () => {
      const token = await ownerToken(['visibility.read'])
      const url = authorizationUrl(server.origin, token.clientId, pkcePair().challenge, {
        scope: 'visibility.read',
      })
      expect(await startAuthorization(token.jar, url)).toEqual(expect.any(String))
    })
  })
})
