import {
  auth,
  discoverAuthorizationServerMetadata,
  refreshAuthorization,
  UnauthorizedError,
} from '@modelcontextprotocol/sdk/client/auth.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { operator } from '../src/core/model.ts'
import { scopeCatalogue } from '../src/core/scopes.ts'
import { routesUnderTest } from './support/api.ts'
import { browserAvailable } from './support/browser.ts'
import { type DemoDashboard, startDemoDashboard } from './support/demo-dashboard.ts'
import { rawMcp } from './support/mcp.ts'
import { landedOnCallback, listeningReceiver } from './support/oauth-callback.ts'
import { MemoryClientProvider } from './support/oauth-client-provider.ts'

const readScopes = scopeCatalogue.filter((scope) => scope.endsWith('.read'))
const toolsFor = (scopes: readonly string[]) =>
  routesUnderTest.filter((r) => r.scope === null || scopes.includes(r.scope)).map((r) => r.tool.name)
const grantIdOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()).grant_id as string

/**
 * Issue 17's end-to-end test: what Claude Code or Cursor do, through the MCP TypeScript SDK's own OAuth client
 * (`StreamableHTTPClientTransport` with an `authProvider`), against the app exactly as `keyward serve` mounts it, with
 * the member's sign-in and consent driven in Chromium.
 */
describe.skipIf(!browserAvailable)('the MCP SDK OAuth client against Keyward', { timeout: 120_000 }, () => {
  let dashboard: DemoDashboard
  let receiver: Awaited<ReturnType<typeof listeningReceiver>>
  let serverUrl: URL

  beforeAll(async () => {
    dashboard = await startDemoDashboard({ publicUrl: true, asServed: true })
    receiver = await listeningReceiver()
    serverUrl = new URL(`${dashboard.baseUrl}/api/mcp`)
  }, 180_000)
  afterAll(async () => {
    await dashboard?.close()
    await receiver?.close()
  })

  const connect = async (provider: MemoryClientProvider) => {
    const client = new Client({ name: 'keyward-sdk-e2e', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: provider }))
    return client
  }

  /** The member's part: sign in when asked, then Allow with the page's defaults. Returns the code. */
  async function consentInBrowser(page: Page, authorizationUrl: URL): Promise<string> {
    await page.goto(authorizationUrl.href)
    // The consent page loads first and, without a session, sends the browser to sign in and back.
    await page.getByRole('button', { name: /^(Sign in|Allow)$/ }).waitFor()
    if (new URL(page.url()).pathname === '/sign-in') {
      await page.getByLabel('Email').fill(dashboard.demo.owner.email)
      await page.getByLabel('Password').fill(dashboard.demo.owner.password ?? '')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL((url) => url.pathname.startsWith('/oauth/consent/'))
    }
    await page.getByRole('button', { name: 'Allow' }).click()
    const back = await receiver.next()
    await landedOnCallback(page)
    expect(back.searchParams.get('iss')).toBe(dashboard.baseUrl)
    return back.searchParams.get('code') ?? ''
  }

  it('discovers from the 401, registers, consents, calls granted tools only, refreshes, catches reuse, revokes', async () => {
    const provider = new MemoryClientProvider(receiver.redirectUri, 'SDK end-to-end app')
    const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider })
    // No credential: the 401 names the resource metadata, the SDK finds the authorization server, registers the
    // client (RFC 7591) and asks the user's browser to authorize with PKCE and the resource indicator.
    await expect(new Client({ name: 'first', version: '1.0.0' }).connect(transport)).rejects.toBeInstanceOf(
      UnauthorizedError,
    )
    expect(provider.information?.client_id).toEqual(expect.any(String))
    const authorizationUrl = provider.authorizationUrl ?? new URL('about:blank')
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${dashboard.baseUrl}/oauth/authorize`)
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorizationUrl.searchParams.get('resource')).toBe(serverUrl.href)

    await transport.finishAuth(await consentInBrowser(dashboard.page, authorizationUrl))
    const first = provider.stored
    // The consent page ticks the read scopes by default: that is all the token holds.
    expect(first?.scope?.split(' ')).toEqual(readScopes)
    expect(first?.expires_in).toBeLessThanOrEqual(3600)

    const client = await connect(provider)
    const names = (await client.listTools()).tools.map((tool) => tool.name)
    expect(names).toEqual(toolsFor(readScopes))
    const read = await client.callTool({ name: 'devtune_list_webhooks', arguments: {} })
    expect(read.isError).toBeFalsy()
    const write = await client.callTool({
      name: 'devtune_create_webhook',
      arguments: { url: 'https://example.com/hook', events: ['visibility.changed'] },
    })
    expect(write.isError).toBe(true)
    expect(JSON.stringify(write.content)).toContain('forbidden:')
    await client.close()

    // Refresh: a new access token and a new refresh token (rotation).
    expect(await auth(provider, { serverUrl })).toBe('AUTHORIZED')
    const second = provider.stored
    expect(second?.access_token).not.toBe(first?.access_token)
    expect(second?.refresh_token).not.toBe(first?.refresh_token)
    const refreshed = await connect(provider)
    expect((await refreshed.listTools()).tools.map((tool) => tool.name)).toEqual(toolsFor(readScopes))
    await refreshed.close()

    // The first refresh token again: reuse is detected and the whole grant ends, its newest access token too.
    const metadata = await discoverAuthorizationServerMetadata(dashboard.baseUrl)
    await expect(
      refreshAuthorization(dashboard.baseUrl, {
        metadata,
        clientInformation: provider.information ?? { client_id: '' },
        refreshToken: first?.refresh_token ?? '',
        resource: serverUrl,
      }),
    ).rejects.toMatchObject({ name: 'InvalidGrantError' })
    const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list' }
    const withSecond = { authorization: `Bearer ${second?.access_token}` }
    expect((await rawMcp(serverUrl.href, listTools, withSecond)).status).toBe(401)

    // Connect again (the member is still signed in), then revoke the grant as Connected apps does.
    provider.stored = undefined
    expect(await auth(provider, { serverUrl })).toBe('REDIRECT')
    const code = await consentInBrowser(dashboard.page, provider.authorizationUrl ?? new URL('about:blank'))
    expect(await auth(provider, { serverUrl, authorizationCode: code })).toBe('AUTHORIZED')
    const third = provider.tokens()?.access_token ?? '' // tokens(): not narrowed by the reset above
    const again = await connect(provider)
    expect((await again.callTool({ name: 'devtune_list_webhooks', arguments: {} })).isError).toBeFalsy()
    await dashboard.keyward.services.grants.revoke(operator, { grantId: grantIdOf(third) })
    expect((await rawMcp(serverUrl.href, listTools, { authorization: `Bearer ${third}` })).status).toBe(401)
    // The SDK's own next call fails too: its token is refused and its refresh token died with the grant.
    await expect(again.listTools()).rejects.toThrow()
  })
})
