import {
  discoverOAuthServerInfo,
  exchangeAuthorization,
  registerClient,
  startAuthorization,
} from '@modelcontextprotocol/sdk/client/auth.js'
import type {
  AuthorizationServerMetadata,
  OAuthClientInformationFull,
} from '@modelcontextprotocol/sdk/shared/auth.js'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoFacts } from '../src/core/demo.ts'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { seriousA11yFindings } from './support/axe.ts'
import { browserAvailable } from './support/browser.ts'
import { type DemoDashboard, startDemoDashboard } from './support/demo-dashboard.ts'
import { connectMcp, rawMcp, toolCall } from './support/mcp.ts'
import { landedOnCallback, listeningReceiver } from './support/oauth-callback.ts'

const appName = 'Consent Test App'
const viewer = { email: 'viewer@consent.test', password: 'viewer password 123' }

/**
 * The real OAuth flow with the consent page driven in Chromium: what an MCP client does (the SDK's own functions:
 * discovery from the resource, dynamic registration, authorization with PKCE S256 and a resource indicator, the
 * code exchange), what the member does (sign in on the way, pick project and scopes, Allow or Deny), and what the
 * dashboard shows afterwards (Connected apps, Agent Activity, revoke).
 */
describe.skipIf(!browserAvailable)(
  'OAuth consent in a real browser, on the real authorization server',
  { timeout: 120_000 },
  () => {
    let dashboard: DemoDashboard
    let keyward: Keyward
    let demo: DemoFacts
    let page: Page
    let origin: string
    let resource: URL
    let metadata: AuthorizationServerMetadata | undefined
    let authorizationServerUrl: string
    let client: OAuthClientInformationFull
    let receiver: Awaited<ReturnType<typeof listeningReceiver>>
    let redirectUri: string
    let ownerToken = ''

    beforeAll(async () => {
      dashboard = await startDemoDashboard({
        publicUrl: true,
        asServed: true,
        viewport: { width: 1280, height: 900 },
        seed: async (keyward, demo) => {
          const user = await keyward.users.createWithPassword({ ...viewer, name: 'Vera Viewer' })
          await keyward.services.accounts.addMember(operator, {
            accountId: demo.accountId,
            userId: user.id,
            role: 'viewer',
          })
        },
      })
      ;({ keyward, demo, page } = dashboard)
      origin = dashboard.baseUrl
      receiver = await listeningReceiver()
      redirectUri = receiver.redirectUri

      const info = await discoverOAuthServerInfo(`${origin}/api/mcp`)
      metadata = info.authorizationServerMetadata
      authorizationServerUrl = info.authorizationServerUrl
      expect(authorizationServerUrl.replace(/\/$/, '')).toBe(origin)
      expect(info.resourceMetadata?.resource).toBe(`${origin}/api/mcp`)
      resource = new URL(info.resourceMetadata?.resource ?? '')
      client = await registerClient(authorizationServerUrl, {
        metadata,
        clientMetadata: {
          client_name: appName,
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
        },
      })
    }, 180_000)

    afterAll(async () => {
      await dashboard?.close() // the browser first: its keep-alive connections would hold the receiver open
      await receiver?.close()
    }, 180_000)

    async function authorize(on: Page, state: string, scope: string) {
      const started = await startAuthorization(authorizationServerUrl, {
        metadata,
        clientInformation: client,
        redirectUrl: redirectUri,
        scope,
        state,
        resource,
      })
      await on.goto(started.authorizationUrl.href)
      return started.codeVerifier
    }

    async function signInOnTheWay(on: Page, email: string, password: string) {
      await on.waitForURL((url) => url.pathname === '/sign-in')
      expect(new URL(on.url()).searchParams.get('next')).toMatch(/^\/oauth\/consent\/[\w-]+$/)
      await on.getByText('An app asks to connect to Keyward: sign in to choose what it may do.').waitFor()
      await on.getByLabel('Email').fill(email)
      await on.getByLabel('Password').fill(password)
      await on.getByRole('button', { name: 'Sign in' }).click()
      await on.waitForURL((url) => url.pathname.startsWith('/oauth/consent/'))
      await on.getByRole('heading', { name: `Connect ${appName}` }).waitFor()
    }

    const checkbox = (on: Page, name: string) => on.getByRole('checkbox', { name, exact: true })
    const claims = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>

    it('the owner signs in on the way, picks a project and read scopes, and the app gets a code and a token', async () => {
      const project = demo.projects[1] ?? demo.projects[0]
      if (!project) throw new Error('the demo has no project')
      const verifier = await authorize(page, 'owner-state', 'visibility.read actions.read actions.write')
      await signInOnTheWay(page, demo.owner.email, demo.owner.password ?? '')

      expect(await page.locator('.consent-host').innerText()).toBe(new URL(redirectUri).host)
      expect(await page.locator('.consent-facts').innerText()).toContain('1 hour')
      expect(await checkbox(page, 'visibility.read').getAttribute('aria-checked')).toBe('true')
      expect(await checkbox(page, 'actions.read').getAttribute('aria-checked')).toBe('true')
      expect(await checkbox(page, 'actions.write').getAttribute('aria-checked')).toBe('false')
      expect(await checkbox(page, 'actions.write').isDisabled()).toBe(false) // an Owner may grant it
      expect(await seriousA11yFindings(page)).toEqual([])
      await page.getByLabel('Project').selectOption(project.id)
      await page.getByRole('button', { name: 'Allow' }).click()

      const back = await receiver.next()
      await landedOnCallback(page)
      expect(back.pathname).toBe('/callback')
      expect(back.searchParams.get('state')).toBe('owner-state')
      expect(back.searchParams.get('iss')).toBe(origin) // RFC 9207
      const code = back.searchParams.get('code') ?? ''
      expect(code).not.toBe('')

      const tokens = await exchangeAuthorization(authorizationServerUrl, {
        metadata,
        clientInformation: client,
        authorizationCode: code,
        codeVerifier: verifier,
        redirectUri,
        resource,
      })
      ownerToken = tokens.access_token
      const granted = claims(ownerToken)
      expect(String(granted.scope).split(' ').sort()).toEqual(['actions.read', 'visibility.read'])
      expect(granted.aud).toBe(`${origin}/api/mcp`)

      const mcp = await connectMcp(`${origin}/api/mcp`, ownerToken)
      try {
        const tools = (await mcp.listTools()).tools.map((tool) => tool.name)
        expect(tools).toContain('devtune_get_visibility_summary')
        expect(tools).toContain('devtune_list_actions')
        expect(tools).not.toContain('devtune_update_action_status')
        expect(tools).not.toContain('devtune_list_webhooks')
        await mcp.callTool({ name: 'devtune_get_visibility_summary', arguments: {} })
      } finally {
        await mcp.close()
      }
    })

    it('a Viewer sees the write scopes disabled with the reason, and may grant read scopes', async () => {
      const viewerPage = await dashboard.newPage()
      await authorize(viewerPage, 'viewer-state', 'visibility.read actions.write')
      await signInOnTheWay(viewerPage, viewer.email, viewer.password)
      expect(await checkbox(viewerPage, 'actions.write').isDisabled()).toBe(true)
      expect(await checkbox(viewerPage, 'webhooks.write').isDisabled()).toBe(true)
      await viewerPage
        .getByText(/Needs the settings\.manage permission: your role in .+ is Viewer\./)
        .first()
        .waitFor()
      expect(await checkbox(viewerPage, 'visibility.read').getAttribute('aria-checked')).toBe('true')
      await viewerPage.getByRole('button', { name: 'Allow' }).click()
      const back = await receiver.next()
      await landedOnCallback(viewerPage) // before the next navigation, which would interrupt this one
      expect(back.searchParams.get('state')).toBe('viewer-state')
      expect(back.searchParams.get('code')).toBeTruthy()

      // Connected apps: the Viewer sees both grants, may revoke only the one it made itself.
      await viewerPage.goto(`/a/${demo.accountId}/keys`)
      const section = viewerPage.getByRole('region', { name: 'Connected apps' })
      await section.getByRole('row', { name: new RegExp(demo.owner.email) }).waitFor()
      expect(
        await section.getByRole('button', { name: `Revoke ${appName} for ${demo.owner.email}` }).count(),
      ).toBe(0)
      expect(
        await section.getByRole('button', { name: `Revoke ${appName} for ${viewer.email}` }).count(),
      ).toBe(1)
      await viewerPage.context().close()
    })

    it('Team → MCP access: with OAuth off the app is refused (403), and on again it works', async () => {
      const callStatus = () =>
        rawMcp(`${origin}/api/mcp`, toolCall('devtune_get_visibility_summary'), {
          authorization: `Bearer ${ownerToken}`,
        }).then((answer) => answer.status)
      expect(await callStatus()).toBe(200)
      await page.goto(`/a/${demo.accountId}/team`)
      const form = page.getByRole('form', { name: 'MCP access' })
      const oauth = form.getByRole('checkbox', { name: 'Connected apps (OAuth) may call MCP tools' })
      expect(await oauth.getAttribute('aria-checked')).toBe('true')
      expect(await seriousA11yFindings(page)).toEqual([])
      await oauth.click()
      await form.getByRole('button', { name: 'Save MCP access' }).click()
      await form.getByRole('status').getByText('MCP access saved.').waitFor()
      expect(await callStatus()).toBe(403)

      await oauth.click()
      await form.getByRole('button', { name: 'Save MCP access' }).click()
      await expect.poll(callStatus).toBe(200)
    })

    it('Agent Activity names the app and the member; Revoke in Connected apps refuses the token at once', async () => {
      await page.goto(`/a/${demo.accountId}/activity`)
      const via = page.locator('.grant-text', { hasText: `via ${appName} · ${demo.owner.email}` }).first()
      await via.waitFor({ timeout: 30_000 }) // rows are written within a second; the page refreshes every 5 s

      await page.goto(`/a/${demo.accountId}/keys`)
      const section = page.getByRole('region', { name: 'Connected apps' })
      const row = section.getByRole('row', { name: new RegExp(demo.owner.email) })
      await row.waitFor()
      const text = await row.innerText()
      expect(text).toContain('visibility.read, actions.read')
      expect(text).toContain(demo.projects[1]?.name ?? demo.projects[0]?.name)
      await section.getByRole('button', { name: `Revoke ${appName} for ${demo.owner.email}` }).click()
      const dialog = page.getByRole('alertdialog', { name: 'Revoke connected app' })
      await dialog.getByRole('button', { name: 'Revoke app' }).click()
      await dialog.waitFor({ state: 'detached' })
      await expect.poll(() => row.innerText()).toMatch(/Revoked/)

      const refused = await rawMcp(
        `${origin}/api/mcp`,
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        { authorization: `Bearer ${ownerToken}` },
      )
      expect(refused.status).toBe(401)
      const grants = await keyward.database.db
        .selectFrom('oauth_grants')
        .select(['client_name', 'revoked_at'])
        .execute()
      expect(grants.filter((g) => g.revoked_at !== null).map((g) => g.client_name)).toEqual([appName])
    })

    it('Deny sends the browser back to the app with access_denied', async () => {
      await authorize(page, 'deny-state', 'visibility.read')
      await page.getByRole('heading', { name: `Connect ${appName}` }).waitFor() // signed in already
      await page.getByRole('button', { name: 'Deny' }).click()
      const back = await receiver.next()
      await landedOnCallback(page)
      expect(back.searchParams.get('error')).toBe('access_denied')
      expect(back.searchParams.get('state')).toBe('deny-state')
      expect(back.searchParams.get('code')).toBeNull()
    })
  },
)
