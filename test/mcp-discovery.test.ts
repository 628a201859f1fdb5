import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  discoverOAuthServerInfo,
  type OAuthClientProvider,
} from '@modelcontextprotocol/sdk/client/auth.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scopeCatalogue } from '../src/core/scopes.ts'
import { appDeps } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { apiWorld, bearer } from './support/api.ts'
import { connectMcp, mcpUrl } from './support/mcp.ts'

type World = Awaited<ReturnType<typeof apiWorld>>
let world: World
let url: string
let webDist: string
let withDashboard: Awaited<ReturnType<typeof buildApp>>
let dashboardUrl: string
beforeAll(async () => {
  world = await apiWorld()
  url = await mcpUrl(world.app)
  // The dashboard's page answers every unknown browser path: the OAuth addresses must not be among them.
  webDist = mkdtempSync(join(tmpdir(), 'keyward-dist-'))
  mkdirSync(join(webDist, 'assets'))
  writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>Keyward</title>')
  withDashboard = await buildApp({ ...appDeps(world.keyward), logLevel: 'silent', webDist })
  dashboardUrl = (await mcpUrl(withDashboard)).replace(/\/api\/mcp$/, '')
})
afterAll(async () => {
  await withDashboard.close()
  await world.close()
  rmSync(webDist, { recursive: true, force: true })
})

describe('MCP tool metadata', () => {
  it('gives every tool a title and annotations true to what it does, through a real client', async () => {
    const client = await connectMcp(url, await world.mint(world.project.id))
    try {
      const { tools } = await client.listTools()
      expect(tools.length).toBeGreaterThan(15)
      for (const tool of tools) {
        expect(tool.title, tool.name).toMatch(/^[A-Z][a-z]+ /)
        expect(tool.annotations, tool.name).toEqual({
          title: tool.title,
          readOnlyHint: expect.any(Boolean),
          destructiveHint: expect.any(Boolean),
          idempotentHint: expect.any(Boolean),
          openWorldHint: false,
        })
      }
      const hints = (name: string) => tools.find((t) => t.name === name)?.annotations
      // Every tool that needs a write scope changes something, so none of them may claim to be read-only.
      const writeScoped = tools.filter((t) => /Requires the \w+\.write scope/.test(t.description ?? ''))
      expect(writeScoped.map((t) => t.name).sort()).toEqual([
        'devtune_create_webhook',
        'devtune_delete_webhook',
        'devtune_generate_action_brief',
        'devtune_rotate_webhook_secret',
        'devtune_update_action_status',
      ])
      for (const tool of writeScoped) expect(tool.annotations?.readOnlyHint, tool.name).toBe(false)
      for (const tool of tools.filter((t) => !writeScoped.includes(t)))
        expect(tool.annotations, tool.name).toMatchObject({ readOnlyHint: true, destructiveHint: false })
      expect(hints('devtune_list_webhooks')).toMatchObject({ title: 'List webhooks', idempotentHint: true })
      expect(hints('devtune_create_webhook')).toMatchObject({ destructiveHint: false, idempotentHint: false })
      expect(hints('devtune_delete_webhook')).toMatchObject({ destructiveHint: true, idempotentHint: true })
      expect(hints('devtune_rotate_webhook_secret')).toMatchObject({
        destructiveHint: true,
        idempotentHint: false,
      })
      expect(hints('devtune_update_action_status')).toMatchObject({
        destructiveHint: true,
        idempotentHint: true,
      })
      expect(hints('devtune_generate_action_brief')).toMatchObject({
        destructiveHint: false,
        idempotentHint: true,
      })
    } finally {
      await client.close()
    }
    expect(scopeCatalogue.filter((s) => s.endsWith('.write'))).toEqual(['actions.write', 'webhooks.write'])
  })

  it('answers GET and DELETE on /api/mcp with 405 method_not_allowed and Allow: POST', async () => {
    const key = await world.mint(world.project.id)
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(url, { method, headers: { ...bearer(key), accept: 'text/event-stream' } })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('POST')
      expect(await response.json()).toEqual({
        error: 'method_not_allowed',
        message: `${method} is not supported here: use POST`,
        status: 405,
      })
    }
  })
})

describe('OAuth discovery before MCP OAuth exists', () => {
  const addresses = [
    '/.well-known/oauth-protected-resource',
    '/.well-known/oauth-protected-resource/api/mcp',
    '/.well-known/oauth-authorization-server',
    '/.well-known/oauth-authorization-server/api/mcp',
    '/.well-known/openid-configuration',
    '/.well-known/openid-configuration/api/mcp',
    '/api/mcp/.well-known/openid-configuration',
  ]

  it('answers every metadata address with a JSON 404, never the dashboard page', async () => {
    expect((await fetch(`${dashboardUrl}/some/dashboard/route`)).headers.get('content-type')).toMatch(/html/)
    for (const path of [...addresses, '/.well-known/security.txt']) {
      const response = await fetch(`${dashboardUrl}${path}`, { headers: { accept: 'text/html, */*' } })
      expect(response.status, path).toBe(404)
      expect(response.headers.get('content-type'), path).toMatch(/^application\/json/)
      expect(await response.json()).toMatchObject({ error: 'not_found', status: 404 })
    }
  })

  it("lets the SDK's discovery conclude there is no OAuth, without a parse error", async () => {
    const mcp = `${dashboardUrl}/api/mcp`
    await expect(discoverOAuthProtectedResourceMetadata(mcp)).rejects.toThrow(
      'Resource server does not implement OAuth 2.0 Protected Resource Metadata.',
    )
    expect(await discoverAuthorizationServerMetadata(dashboardUrl)).toBeUndefined()
    expect(await discoverOAuthServerInfo(mcp)).toEqual({
      authorizationServerUrl: `${dashboardUrl}/`,
      authorizationServerMetadata: undefined,
      resourceMetadata: undefined,
    })
  })

  /** An OAuth-capable client whose stored token is the API key, as clients configured with a token are. */
  const provider = (token: string, redirects: URL[]): OAuthClientProvider => ({
    redirectUrl: 'http://127.0.0.1:1/callback',
    clientMetadata: { redirect_uris: ['http://127.0.0.1:1/callback'], client_name: 'discovery-test' },
    clientInformation: () => undefined,
    tokens: () => ({ access_token: token, token_type: 'Bearer' }),
    saveTokens: () => {},
    redirectToAuthorization: (at) => {
      redirects.push(at)
    },
    saveCodeVerifier: () => {},
    codeVerifier: () => 'unused',
  })

  it('an SDK client with an OAuth provider works with a key as its token, and fails a bad one cleanly', async () => {
    const mcp = new URL(`${dashboardUrl}/api/mcp`)
    const redirects: URL[] = []
    const good = new Client({ name: 'oauth-client', version: '1.0.0' })
    await good.connect(
      new StreamableHTTPClientTransport(mcp, {
        authProvider: provider(await world.mint(world.project.id), redirects),
      }),
    )
    expect((await good.listTools()).tools.length).toBeGreaterThan(0)
    await good.close()

    // With a token the server refuses, the SDK looks for OAuth metadata, finds JSON 404s, tries to register
    // a client and stops with an error of its own: no HTML was parsed and no browser was sent anywhere.
    const bad = new Client({ name: 'oauth-client', version: '1.0.0' })
    const refused = await bad
      .connect(new StreamableHTTPClientTransport(mcp, { authProvider: provider('dtk_live_nope', redirects) }))
      .then(
        () => null,
        (error: Error) => error,
      )
    expect(refused).toBeInstanceOf(Error)
    expect(refused?.message).not.toMatch(/JSON|Unexpected token|<!doctype/i)
    // (This provider cannot save a registration; one that can would be refused by /register's JSON 404.)
    expect(refused?.message).toBe('OAuth client information must be saveable for dynamic registration')
    expect(redirects).toEqual([])
  })
})
