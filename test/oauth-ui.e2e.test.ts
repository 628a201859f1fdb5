import type { Page, Route } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoFacts } from '../src/core/demo.ts'
import { scopeCatalogue } from '../src/core/scopes.ts'
import type { ConnectedApp, OAuthInteraction } from '../web/src/api.ts'
import { animationsSettled, seriousA11yFindings } from './support/axe.ts'
import { browserAvailable } from './support/browser.ts'
import { type DemoDashboard, signIn, startDemoDashboard } from './support/demo-dashboard.ts'

const readScopes = scopeCatalogue.filter((scope) => scope.endsWith('.read'))
const hour = 3_600_000

/**
 * Layout and accessibility of the OAuth screens, at 390 and 1440 px. Only the two OAuth endpoints are answered by
 * the test (Playwright's request interception), with the shapes of OAUTH-CONTRACT.md, so that the screens can be
 * checked before the authorization server is merged; everything else is the real demo server. What the screens do
 * against the real server is oauth-consent.e2e.test.ts's job.
 */
describe.skipIf(!browserAvailable)('OAuth screens: layout and accessibility', { timeout: 120_000 }, () => {
  let dashboard: DemoDashboard
  let page: Page
  let demo: DemoFacts
  let interaction: OAuthInteraction
  let apps: ConnectedApp[]

  beforeAll(async () => {
    dashboard = await startDemoDashboard()
    ;({ page, demo } = dashboard)
    const projects = demo.projects
    interaction = {
      uid: 'ui-fixture',
      client: { id: 'client-1', name: 'Fixture MCP Client', redirectHost: 'client.example.test:8443' },
      requestedScopes: ['visibility.read', 'actions.read', 'actions.write'],
      accessTokenLifetimeSeconds: 3600,
      refreshTokenLifetimeSeconds: 14 * 86_400,
      accounts: [
        { id: demo.accountId, name: 'Demo team', role: 'owner', ceiling: [...scopeCatalogue], projects },
        {
          id: 'other-team',
          name: 'Agency',
          role: 'viewer',
          ceiling: readScopes,
          projects: projects.slice(0, 1),
        },
      ],
    }
    const user = { id: 'u-2', email: 'someone.with.a.long.address@agency.example.test', name: 'Someone Else' }
    const project = projects[0] ?? { id: 'p', name: 'p' }
    apps = [
      {
        id: 'grant-1',
        clientId: 'client-1',
        clientName: 'Claude Code',
        redirectHost: 'localhost:33418',
        user,
        project,
        scopes: ['visibility.read', 'citations.read', 'actions.read', 'actions.write'],
        createdAt: Date.now() - 48 * hour,
        lastUsedAt: Date.now() - hour,
        status: 'active',
      },
      {
        id: 'grant-2',
        clientId: 'client-2',
        clientName: 'Cursor',
        redirectHost: 'localhost:51234',
        user,
        project,
        scopes: ['visibility.read'],
        createdAt: Date.now() - 96 * hour,
        lastUsedAt: null,
        status: 'revoked',
      },
      {
        id: 'grant-3',
        clientName: 'VS Code',
        clientId: 'client-3',
        redirectHost: '127.0.0.1:40411',
        user: null, // the member's user account was deleted since
        project,
        scopes: ['tests.read'],
        createdAt: Date.now() - 200 * hour,
        lastUsedAt: Date.now() - 100 * hour,
        status: 'active',
      },
    ]
    await page.route('**/api/dashboard/oauth/interactions/ui-fixture', (route: Route) =>
      route.fulfill({ json: interaction }),
    )
    await page.route(`**/api/dashboard/accounts/${demo.accountId}/connected-apps`, (route: Route) =>
      route.fulfill({ json: { items: apps } }),
    )
    // The real policy with the MCP switches set for the test (before the resource side is merged it has none).
    await page.route(`**/api/dashboard/accounts/${demo.accountId}/key-policy`, async (route: Route) => {
      if (route.request().method() !== 'GET') return route.fallback()
      const real = (await (await route.fetch()).json()) as Record<string, unknown>
      return route.fulfill({ json: { ...real, mcpKeys: true, mcpOAuth: false } })
    })
    await signIn(page, demo.owner.email, demo.owner.password ?? '')
    await page.getByRole('heading', { name: 'Home' }).waitFor()
  }, 180_000)

  afterAll(() => dashboard?.close(), 180_000)

  const overflow = () =>
    page.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) - window.innerWidth)
  const checkbox = (name: string) => page.getByRole('checkbox', { name, exact: true })

  describe.each([390, 1440])('at %i px', (width) => {
    beforeAll(() => page.setViewportSize({ width, height: width < 800 ? 844 : 900 }))

    it('the consent page shows who asks, where the browser goes, for how long, and the choices', async () => {
      await page.goto('/oauth/consent/ui-fixture')
      await page.getByRole('heading', { name: 'Connect Fixture MCP Client' }).waitFor()
      expect(await page.locator('.consent-host').innerText()).toBe('client.example.test:8443')
      const facts = await page.locator('.consent-facts').innerText()
      expect(facts).toContain('1 hour')
      expect(facts).toContain('14 days')
      expect(await page.getByLabel('Team').inputValue()).toBe(demo.accountId)
      expect(await page.getByLabel('Project').inputValue()).toBe(demo.projects[0]?.id)
      // Read scopes the app asked for are ticked; the write scope it asked for is offered, not ticked.
      expect(await checkbox('visibility.read').getAttribute('aria-checked')).toBe('true')
      expect(await checkbox('actions.read').getAttribute('aria-checked')).toBe('true')
      expect(await checkbox('actions.write').getAttribute('aria-checked')).toBe('false')
      expect(await checkbox('actions.write').isDisabled()).toBe(false)
      // What the app did not ask for cannot be granted: disabled, with the reason read out beside it.
      expect(await checkbox('tests.read').isDisabled()).toBe(true)
      expect(await page.getByText('Fixture MCP Client did not ask for this scope.').count()).toBe(8)
      expect(await seriousA11yFindings(page)).toEqual([])
      expect(await overflow()).toBeLessThanOrEqual(0)
      await page.screenshot({ path: `test-results/oauth-consent-${width}.png`, fullPage: true })
    })

    it('a team where the role is Viewer disables the write scopes and says why', async () => {
      await page.getByLabel('Team').selectOption('other-team')
      expect(await checkbox('actions.write').isDisabled()).toBe(true)
      expect(await checkbox('webhooks.write').isDisabled()).toBe(true)
      const reasons = page.getByText('Needs the settings.manage permission: your role in Agency is Viewer.')
      expect(await reasons.count()).toBe(2)
      expect(await checkbox('visibility.read').getAttribute('aria-checked')).toBe('true')
      expect(await seriousA11yFindings(page)).toEqual([])
      expect(await overflow()).toBeLessThanOrEqual(0)
    })

    it('keyboard: Tab reaches Team, Project, the scopes, then Deny and Allow, in order', async () => {
      await page.getByLabel('Team').focus()
      const seen: string[] = []
      for (let i = 0; i < 40 && !seen.includes('Allow'); i++) {
        await page.keyboard.press('Tab')
        seen.push(
          await page.evaluate(() => {
            const el = document.activeElement as HTMLButtonElement | null
            return el?.labels?.[0]?.innerText ?? el?.innerText ?? ''
          }),
        )
      }
      expect(seen[0]).toBe('Project')
      expect(seen.indexOf('visibility.read')).toBeGreaterThan(0)
      expect(seen.indexOf('actions.write')).toBe(-1) // disabled: skipped
      expect(seen.slice(-2)).toEqual(['Deny', 'Allow'])
    })

    it('Connected apps on API Keys: the grants beside the keys, with Revoke confirmed in a dialog', async () => {
      await page.goto(`/a/${demo.accountId}/keys`)
      const section = page.getByRole('region', { name: 'Connected apps' })
      await section.getByRole('row', { name: /Claude Code/ }).waitFor()
      const active = await section.getByRole('row', { name: /Claude Code/ }).innerText()
      for (const text of ['localhost:33418', 'Someone Else', demo.projects[0]?.name ?? '', 'actions.write'])
        expect(active).toContain(text)
      expect(active).toMatch(/Active/)
      expect(await section.getByRole('row', { name: /Cursor/ }).innerText()).toMatch(/Revoked[\s\S]*$/)
      expect(await section.getByRole('button', { name: /^Revoke Cursor/ }).count()).toBe(0)
      expect(await section.getByRole('row', { name: /VS Code/ }).innerText()).toContain('Deleted user')
      // A manager may revoke the grant of a user who no longer exists.
      expect(await section.getByRole('button', { name: 'Revoke VS Code for a deleted user' }).count()).toBe(1)
      expect(await seriousA11yFindings(page)).toEqual([])
      expect(await overflow()).toBeLessThanOrEqual(0)

      await section.getByRole('button', { name: `Revoke Claude Code for ${apps[0]?.user?.email}` }).click()
      const dialog = page.getByRole('alertdialog', { name: 'Revoke connected app' })
      await dialog.waitFor()
      await animationsSettled(page)
      expect(await dialog.innerText()).toContain(`Revoke “Claude Code” for ${apps[0]?.user?.email}`)
      expect(await seriousA11yFindings(page)).toEqual([])
      const box = await dialog.boundingBox()
      expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= width).toBe(true)
      await dialog.getByRole('button', { name: 'Cancel' }).click()
      await dialog.waitFor({ state: 'detached' })
    })

    it('Team → MCP access: the two switches, labelled and described', async () => {
      await page.goto(`/a/${demo.accountId}/team`)
      const form = page.getByRole('form', { name: 'MCP access' })
      const keys = form.getByRole('checkbox', { name: 'API keys may call MCP tools' })
      await keys.waitFor()
      expect(await keys.getAttribute('aria-checked')).toBe('true')
      const oauth = form.getByRole('checkbox', { name: 'Connected apps (OAuth) may call MCP tools' })
      expect(await oauth.getAttribute('aria-checked')).toBe('false')
      expect(await oauth.getAttribute('aria-describedby')).toBeTruthy()
      expect(await seriousA11yFindings(page)).toEqual([])
      expect(await overflow()).toBeLessThanOrEqual(0)
    })

    it('with no grants, the section says how an app gets connected', async () => {
      const saved = apps
      apps = []
      try {
        await page.goto(`/a/${demo.accountId}/keys`)
        const section = page.getByRole('region', { name: 'Connected apps' })
        await section.getByText('No connected apps').waitFor()
        expect(await section.innerText()).toContain('/api/mcp')
        expect(await seriousA11yFindings(page)).toEqual([])
      } finally {
        apps = saved
      }
    })
  })
})
