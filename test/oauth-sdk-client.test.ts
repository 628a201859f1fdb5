import { auth } from '@modelcontextprotocol/sdk/client/auth.js'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { teamWithProject } from './support/keyward.ts'
import { MemoryClientProvider } from './support/oauth-client-provider.ts'
import {
  CookieJar,
  consentTo,
  dashboardCall,
  followToClient,
  type OAuthServer,
  redirectUri,
  signInBrowser,
  startAuthorization,
  startOAuthServer,
} from './support/oauth-flow.ts'

let server: OAuthServer
beforeAll(async () => {
  server = await startOAuthServer()
})
afterAll(async () => server?.close())

it("completes the MCP SDK's OAuth flow: discovery, registration, PKCE, consent, token, refresh", async () => {
  const team = await teamWithProject(server.keyward)
  const serverUrl = `${server.origin}/api/mcp`
  const provider = new MemoryClientProvider(redirectUri)
  expect(await auth(provider, { serverUrl })).toBe('REDIRECT')
  expect(provider.information?.client_id).toEqual(expect.any(String))
  const url = provider.authorizationUrl ?? new URL('about:blank')
  expect(url.origin + url.pathname).toBe(`${server.origin}/oauth/authorize`)
  expect(url.searchParams.get('code_challenge_method')).toBe('S256')

  const jar = new CookieJar()
  const uid = await startAuthorization(jar, url)
  const email = (await server.keyward.users.findById(team.owner.userId))?.email ?? ''
  const csrf = await signInBrowser(server.origin, jar, email)
  const details = await (
    await dashboardCall(server.origin, jar, csrf, 'GET', `/oauth/interactions/${uid}`)
  ).json()
  // The SDK named no scope: the request is for every scope, and the user picks.
  expect(details.requestedScopes).toHaveLength(11)
  const consent = await consentTo(server.origin, jar, csrf, uid, {
    projectId: team.project.id,
    scopes: ['visibility.read', 'traffic.read'],
  })
  const callback = await followToClient(jar, (await consent.json()).redirectTo)
  expect(callback.searchParams.get('iss')).toBe(server.origin)

  const authorizationCode = callback.searchParams.get('code') ?? ''
  expect(await auth(provider, { serverUrl, authorizationCode })).toBe('AUTHORIZED')
  const first = provider.stored
  expect(first).toMatchObject({
    token_type: expect.stringMatching(/^bearer$/i),
    scope: 'visibility.read traffic.read',
  })
  expect(first?.expires_in).toBeLessThanOrEqual(3600)
  expect(first?.refresh_token).toEqual(expect.any(String))

  expect(await auth(provider, { serverUrl })).toBe('AUTHORIZED') // refreshes with the stored refresh token
  expect(provider.stored?.access_token).not.toBe(first?.access_token)
  expect(provider.stored?.refresh_token).not.toBe(first?.refresh_token)
})
