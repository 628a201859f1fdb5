import { afterAll, beforeAll, expect, it } from 'vitest'
import { signInLimits } from '../src/storage/sign-in-throttle.ts'
import { type OAuthServer, redirectUri, startOAuthServer } from './support/oauth-flow.ts'

let server: OAuthServer
beforeAll(async () => {
  server = await startOAuthServer()
})
afterAll(async () => server?.close())

it('limits open client registration per address, answering 429 with Retry-After and storing nothing', async () => {
  const register = () =>
    fetch(`${server.origin}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' }),
    })
  for (let n = 0; n < signInLimits.clientRegistrationsPerClientPerHour; n += 1)
    expect((await register()).status).toBe(201)
  const clients = async () =>
    (
      await server.keyward.database.db
        .selectFrom('oauth_store')
        .select('id')
        .where('model', '=', 'Client')
        .execute()
    ).length
  const stored = await clients()
  const refused = await register()
  expect(refused.status).toBe(429)
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
  expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' })
  expect(await clients()).toBe(stored)
})
