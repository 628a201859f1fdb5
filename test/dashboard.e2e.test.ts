import { rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { type DemoFacts, ensureDemo } from '../src/core/demo.ts'
import { acceptLeakReports } from '../src/core/exposures.ts'
import { operator } from '../src/core/model.ts'
import { appDeps, composeKeyward, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { seriousA11yFindings } from './support/axe.ts'
import { browserAvailable, buildDashboard, chromiumPath, launchBrowser } from './support/browser.ts'
import { sqliteDatabase } from './support/databases.ts'

const required = process.env.KEYWARD_REQUIRE_BROWSER === '1'
if (!browserAvailable) {
  if (required) throw new Error(`KEYWARD_REQUIRE_BROWSER=1 but there is no browser at ${chromiumPath}`)
  console.log(`\nBrowser suite SKIPPED: no chromium at ${chromiumPath} (CI installs it; see README)\n`)
}

const screenshots = 'test-results'
// biome.json turns off useDomNodeTextContent for this file: `innerText()` here is Playwright's locator method (the
// text as rendered, cells apart), not the DOM property the rule is about.

/**
 * The seed page's story, in a real browser against a real HTTP server: the demo owner creates, scopes and revokes a
 * key; the REST API follows every change; Agent Activity shows the calls; a Viewer cannot manage keys.
 */
// Each step waits on what the page shows (expect.poll, waitFor); the time limits are backstops for a busy machine.
describe.skipIf(!browserAvailable)('dashboard in a real browser', { timeout: 120_000 }, () => {
  let keyward: Keyward
  let app: FastifyInstance
  let browser: Browser
  let page: Page
  let baseUrl: string
  let demo: DemoFacts
  let webDist: string

  beforeAll(async () => {
    webDist = await buildDashboard()
    keyward = await composeKeyward(loadConfig({}), { database: await sqliteDatabase.open() })
    demo = await ensureDemo(keyward)
    app = await buildApp({ ...appDeps(keyward), logLevel: 'silent', webDist })
    keyward.activity.start()
    await app.listen({ port: 0, host: '127.0.0.1' })
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    browser = await launchBrowser()
    page = await (
      await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } })
    ).newPage()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await keyward?.close()
    if (webDist) await rm(webDist, { recursive: true, force: true })
  }, 180_000)

  const project = () => {
    const first = demo.projects[0]
    if (!first) throw new Error('the demo has no project')
    return first
  }
  const api = (key: string, path: string) =>
    fetch(`${baseUrl}/api/v2/projects/${project().id}/${path}`, {
      headers: { authorization: `Bearer ${key}` },
    })
  const keyRow = () => page.getByRole('row', { name: /E2E agent key/ })
  let rawKey = ''

  async function signIn(email: string, password: string) {
    await page.goto('/')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'API Keys' }).waitFor()
  }

  it('1. the demo owner signs in with the printed credentials', async () => {
    expect(demo.owner.password).toBeTruthy()
    await signIn(demo.owner.email, demo.owner.password ?? '')
    await page.getByRole('link', { name: 'API Keys' }).click()
    await page.getByRole('heading', { name: 'API Keys' }).waitFor()
    expect(new URL(page.url()).pathname).toBe(`/a/${demo.accountId}/keys`)
  })

  it('dialogs are keyboard-usable: Enter opens, focus moves in, Escape closes and gives focus back', async () => {
    const button = page.getByRole('button', { name: 'Create API Key' })
    await button.focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: 'Create API Key' })
    await dialog.waitFor()
    expect(await dialog.evaluate((node) => node.contains(document.activeElement))).toBe(true)
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    expect(await button.evaluate((node) => node === document.activeElement)).toBe(true)
  })

  it('2. creates a key with two scopes and a 30-day expiry, and reads the raw key once', async () => {
    await page.getByRole('button', { name: 'Create API Key' }).click()
    const dialog = page.getByRole('dialog', { name: 'Create API Key' })
    await dialog.getByLabel('Name').fill('E2E agent key')
    await dialog.getByLabel('Project').selectOption({ label: project().name })
    await dialog.getByLabel('Expiration').selectOption({ label: '30 days' })
    await dialog.getByRole('checkbox', { name: 'Select all' }).click() // all are selected by default: clear them
    await dialog.getByRole('checkbox', { name: 'visibility.read' }).click()
    await dialog.getByRole('checkbox', { name: 'citations.read' }).click()
    await dialog.getByRole('button', { name: 'Create key' }).click()
    const shown = dialog.getByLabel('API key', { exact: true })
    await shown.waitFor()
    rawKey = await shown.inputValue()
    expect(rawKey).toMatch(/^dtk_live_[0-9a-f]{64}$/)
    await dialog.getByText('will not be shown again').waitFor()
    await page.screenshot({ path: `${screenshots}/create-key-dialog.png` })
    await dialog.getByRole('button', { name: 'Done' }).click()
    // Never copied: Done asks before the key is thrown away.
    await dialog.getByText('You have not copied this key').waitFor()
    expect(await seriousA11yFindings(page)).toEqual([])
    await dialog.getByRole('button', { name: 'Discard key' }).click()
    await dialog.waitFor({ state: 'detached' })
    await keyRow().waitFor()
    const row = await keyRow().innerText()
    expect(row).toContain(rawKey.slice(0, 13)) // the prefix, never the key
    expect(row).not.toContain(rawKey)
    expect(row).toMatch(/in (29|30) days/)
    expect(await page.content()).not.toContain(rawKey) // gone from the page once the dialog closed
  })

  it('3. the key answers 200 on a scoped endpoint and 403 on another', async () => {
    expect((await api(rawKey, 'visibility/summary')).status).toBe(200)
    expect((await api(rawKey, 'citations/stats')).status).toBe(200)
    const refused = await api(rawKey, 'tests')
    expect(refused.status).toBe(403)
    expect((await refused.json()).message).toBe('This API key lacks the required scope: tests.read')
  })

  it('4. widening its scopes in the Scopes dialog lets the refused endpoint through', async () => {
    await page.getByRole('button', { name: 'Edit scopes for E2E agent key' }).click()
    const dialog = page.getByRole('dialog', { name: 'Edit scopes' })
    await expect(dialog.getByRole('checkbox', { name: 'visibility.read' }).isChecked()).resolves.toBe(true)
    await expect(dialog.getByRole('checkbox', { name: 'tests.read' }).isChecked()).resolves.toBe(false)
    await dialog.getByRole('checkbox', { name: 'tests.read' }).click()
    await dialog.getByRole('button', { name: 'Save scopes' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expect.poll(async () => keyRow().innerText()).toContain('tests.read')
    expect((await api(rawKey, 'tests')).status).toBe(200)
  })

  it('5. revoking it answers 401 at once; Hide revoked hides the row, and without it the row says Revoked', async () => {
    await page.getByRole('button', { name: 'Revoke E2E agent key' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Revoke API key' })
    await expect(confirm.innerText()).resolves.toContain('E2E agent key')
    await confirm.getByRole('button', { name: 'Revoke key' }).click()
    await confirm.waitFor({ state: 'detached' })
    expect((await api(rawKey, 'visibility/summary')).status).toBe(401)
    await expect.poll(async () => keyRow().innerText()).toContain('Revoked')

    const hide = page.getByRole('switch', { name: 'Hide revoked' })
    await hide.click()
    await expect.poll(async () => keyRow().count()).toBe(0)
    await page.reload() // the toggle persists
    await page.getByRole('heading', { name: 'API Keys' }).waitFor()
    await expect(
      page.getByRole('switch', { name: 'Hide revoked' }).getAttribute('aria-checked'),
    ).resolves.toBe('true')
    await expect.poll(async () => keyRow().count()).toBe(0)
    await page.getByRole('switch', { name: 'Hide revoked' }).click()
    await keyRow().waitFor()
    expect(await keyRow().innerText()).toContain('Revoked')
    await page.screenshot({ path: `${screenshots}/api-keys-table.png`, fullPage: true })
  })

  const requestsTable = () => page.getByRole('table').filter({ hasText: 'Endpoint' })
  const statuses = async () => (await requestsTable().innerText()).match(/\b(200|403|401)\b/g)?.sort() ?? []

  it('6. Agent Activity lists those calls with their statuses and why they failed', async () => {
    await keyward.activity.flush()
    await page.getByRole('link', { name: 'Agent Activity' }).click()
    await page.getByRole('heading', { name: 'Agent Activity' }).waitFor()
    // The key picker searches the server: type part of the name, choose it.
    const picker = page.getByRole('combobox', { name: 'Key' })
    await picker.fill('E2E agent')
    await page.getByRole('option', { name: /E2E agent key/ }).click()
    expect(new URL(page.url()).searchParams.get('key')).toMatch(/^[0-9a-f-]{36}$/)
    const table = requestsTable()
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(['200', '200', '200', '401', '403'])
    const text = await table.innerText()
    expect(text).toContain('visibility.read')
    expect(text).toContain('/api/v2/projects/:projectId/tests')
    expect(text).toContain('Missing scope') // the 403
    expect(text).toContain('Revoked key') // the 401, after revocation
    const usage = page.getByRole('table', { name: /Per-key usage/ })
    await expect
      .poll(async () => usage.getByRole('row', { name: /E2E agent key/ }).innerText())
      .toMatch(/\b5\b/)
    await page.screenshot({ path: `${screenshots}/agent-activity.png`, fullPage: true })
    // The page's own files: cached for good, never sniffed; a missing one is a 404, not the page.
    const script = await page.locator('script[src^="/assets/"]').first().getAttribute('src')
    const asset = await fetch(`${baseUrl}${script}`)
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff')
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect((await fetch(`${baseUrl}/assets/missing.js`)).status).toBe(404)
  })

  it('the Activity page shows new requests on its own, without a reload', async () => {
    await page.evaluate(() => {
      ;(window as unknown as { stayed: boolean }).stayed = true
    })
    expect((await api(rawKey, 'citations/stats')).status).toBe(401)
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(['200', '200', '200', '401', '401', '403'])
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true)
  })

  it('a row opens to its details: the exact time, request id, route, reason and client', async () => {
    await requestsTable()
      .getByRole('button', { name: /Open request .*\/tests, 403/ })
      .click()
    const drawer = page.getByRole('dialog', { name: 'Request details' })
    await drawer.getByText('Missing scope').waitFor()
    const details = await drawer.innerText()
    expect(details).toMatch(/Request ID\s+[0-9a-f-]{36}/)
    expect(details).toContain('/api/v2/projects/:projectId/tests')
    expect(details).toContain(`/api/v2/projects/${project().id}/tests`)
    expect(details).toMatch(/Time\s+.*\d:\d{2}:\d{2}\.\d{3}/) // to the millisecond
    expect(details).toMatch(/Scope\s+tests\.read/)
    expect(details).toMatch(/Client IP\s+127\.0\.0\.1/)
    expect(details).not.toContain(rawKey.slice(13))
    // The row's stored id: its time (see src/storage/activity-codec.js).
    expect(new URL(page.url()).searchParams.get('request')).toMatch(/^\d{19}$/)
    await page.screenshot({ path: `${screenshots}/activity-request-details.png` })
    expect(await seriousA11yFindings(page)).toEqual([])
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })
    expect(new URL(page.url()).searchParams.get('request')).toBeNull()
  })

  it('filters from the URL, and pages past 100 rows', async () => {
    const key = demo.key
    if (!key) throw new Error('the demo created no key')
    const now = Date.now()
    await keyward.storage.activity.insertMany(
      Array.from({ length: 130 }, (_, i) => ({
        id: '',
        at: now - i * 1000,
        accountId: demo.accountId,
        projectId: key.projectId,
        keyId: key.id,
        method: 'MCP',
        route: 'devtune_list_tests',
        path: '/api/mcp',
        status: 429,
        scope: 'tests.read',
        latencyMs: 1,
        errorCode: 'rate_limit_exceeded',
        rateLimited: true,
        reason: 'rate_limited' as const,
        requestedProjectId: null,
        requestId: null,
        rpcId: String(i),
        clientIp: '203.0.113.7',
        userAgent: 'e2e',
      })),
    )
    await page.goto(`/a/${demo.accountId}/activity?reason=rate_limited&route=devtune_list_tests&range=1h`)
    await page.getByRole('heading', { name: 'Agent Activity' }).waitFor()
    expect(await page.getByLabel('Reason').inputValue()).toBe('rate_limited')
    expect(await page.getByLabel('Endpoint or tool').inputValue()).toBe('devtune_list_tests')
    const rows = requestsTable().locator('tbody tr')
    await expect.poll(async () => rows.count(), { timeout: 30_000 }).toBe(100)
    await page.getByRole('button', { name: 'Load more' }).click()
    await expect.poll(async () => rows.count(), { timeout: 30_000 }).toBe(130)
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0)
    expect(await requestsTable().innerText()).not.toMatch(/\b200\b/)
    // Another filter is one more history entry: Back restores the previous view.
    await page.getByLabel('Status').selectOption('200')
    await expect.poll(async () => rows.count()).toBe(0)
    await page.goBack()
    await expect.poll(async () => rows.count(), { timeout: 30_000 }).toBe(130) // both pages, as they were
  })

  it("the Keys table's Last used moves on its own when a key is used", async () => {
    const key = demo.key
    if (!key) throw new Error('the demo created no key')
    await page.getByRole('link', { name: 'API Keys' }).click()
    await page.getByRole('heading', { name: 'API Keys' }).waitFor()
    const row = page
      .getByRole('table', { name: 'API keys' })
      .getByRole('row', { name: /Demo full-access key/ })
    await row.waitFor()
    expect(await row.innerText()).toContain('Never')
    const used = await fetch(`${baseUrl}/api/v2/projects/${key.projectId}/visibility/summary`, {
      headers: { authorization: `Bearer ${key.key}` },
    })
    expect(used.status).toBe(200)
    await expect.poll(async () => row.innerText(), { timeout: 60_000 }).toContain('just now')
  })

  it("the key drawer's Usage tab shows the key's 30 days: figures, a chart and its endpoints", async () => {
    await page.getByRole('link', { name: 'API Keys' }).click()
    await page.getByRole('heading', { name: 'API Keys' }).waitFor()
    await page.getByRole('button', { name: 'E2E agent key', exact: true }).click()
    const drawer = page.getByRole('dialog', { name: 'E2E agent key' })
    await drawer.getByRole('tab', { name: 'Usage' }).click()
    const figure = (label: string) => drawer.locator('.stat', { hasText: label }).innerText()
    // 200, 200, 403 and 200 while it was active, then two 401s once revoked.
    await expect.poll(() => figure('Requests (30 days)'), { timeout: 30_000 }).toContain('6')
    expect(await figure('Error rate')).toContain('50%')
    expect(await figure('p50 latency')).toMatch(/\d+(\.\d)? (ms|s)/)
    expect(await figure('p95 latency')).toMatch(/\d+(\.\d)? (ms|s)/)
    expect(await figure('Last used')).not.toContain('Never')
    await drawer.getByText('Requests per day').waitFor() // the chart's chunk loaded
    expect(await drawer.locator('.chart-summary').innerText()).toMatch(/^Busiest day: /)
    const endpoints = drawer.getByRole('table', { name: /Top endpoints and tools/ })
    expect(await endpoints.getByRole('row', { name: /visibility\/summary/ }).innerText()).toMatch(/\b2\s+1$/)
    expect(await endpoints.getByRole('row', { name: /\/tests/ }).innerText()).toMatch(/\b2\s+1$/)
    expect(await endpoints.getByRole('row', { name: /citations\/stats/ }).innerText()).toMatch(/\b2\s+1$/)
    await page.screenshot({ path: `${screenshots}/key-usage-tab.png` })
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })
  })

  it('webhooks: create one, its secret shown once, and it is listed', async () => {
    await page.getByRole('link', { name: 'Webhooks' }).click()
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor()
    await page.getByRole('button', { name: 'Create webhook' }).click()
    const dialog = page.getByRole('dialog', { name: 'Create webhook' })
    await dialog.getByLabel('URL').fill('https://hooks.example.test/keyward')
    await dialog.getByLabel('Project').selectOption({ label: project().name })
    await dialog.getByRole('checkbox', { name: 'action.created' }).click()
    await dialog.getByRole('button', { name: 'Create webhook' }).click()
    const secret = dialog.getByLabel('Signing secret', { exact: true })
    await secret.waitFor()
    expect(await seriousA11yFindings(page)).toEqual([])
    expect(await secret.inputValue()).toMatch(/^[0-9a-f]{64}$/)
    await dialog.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('row', { name: /hooks\.example\.test\/keyward/ }).waitFor()
  })

  it('team: an invite link that the invited email accepts after signing up', async () => {
    await page.getByRole('link', { name: 'Team' }).click()
    await page.getByRole('button', { name: 'Invite member' }).click()
    const dialog = page.getByRole('dialog', { name: 'Invite member' })
    await dialog.getByLabel('Email').fill('new-member@demo.keyward.test')
    await dialog.getByLabel('Role', { exact: true }).selectOption('member')
    await dialog.getByRole('button', { name: 'Create invite link' }).click()
    const field = dialog.getByLabel('Invite link', { exact: true })
    await field.waitFor()
    const link = await field.inputValue()
    expect(link).toMatch(new RegExp(`^${baseUrl}/invite/[A-Za-z0-9_-]{43}$`))
    await dialog.getByRole('button', { name: 'Done' }).click()

    const invitee = await (await browser.newContext({ baseURL: baseUrl })).newPage()
    await invitee.goto(link)
    await invitee.getByRole('link', { name: 'Create an account' }).click()
    await invitee.getByLabel('Name').fill('New Member')
    await invitee.getByLabel('Email').fill('new-member@demo.keyward.test')
    await invitee.getByLabel('Password').fill('new member password')
    await invitee.getByRole('button', { name: 'Create account' }).click()
    await invitee.getByRole('button', { name: 'Accept' }).click()
    await expect
      .poll(async () => {
        const user = await keyward.users.findByEmail('new-member@demo.keyward.test')
        return user && keyward.storage.memberships.roleOf(demo.accountId, user.id)
      })
      .toBe('member')
    await invitee.close()
  })

  it('history names who did what', async () => {
    await page.getByRole('link', { name: 'History' }).click()
    await page.getByRole('heading', { name: 'History' }).waitFor()
    const table = page.getByRole('table')
    await expect.poll(async () => table.innerText()).toContain('Key revoked')
    const text = await table.innerText()
    expect(text).toContain('Scopes changed')
    expect(text).toContain('Demo Owner')
    expect(text).toContain('new-member@demo.keyward.test')

    await page.getByLabel('Action').selectOption('key.revoked')
    await expect.poll(async () => table.innerText()).not.toContain('Scopes changed')
    expect(await table.innerText()).toContain('Key revoked')
    expect(new URL(page.url()).searchParams.get('action')).toBe('key.revoked')
    expect(await seriousA11yFindings(page)).toEqual([])
  })

  it('a key GitHub reports as leaked shows Exposed, with where it was found and who acted', async () => {
    const leaked = await keyward.services.keys.create(operator, {
      projectId: project().id,
      name: 'Leaked key',
    })
    const url = 'https://github.com/octo/app/blob/abc123/.env'
    await acceptLeakReports(keyward.exposureDeps, 'github-secret-scanning', [
      { token: leaked.key, type: 'keyward_api_key', url, source: 'content' },
    ])
    await keyward.exposures.drain()
    await page.getByRole('link', { name: 'API Keys' }).click()
    await page.getByRole('heading', { name: 'API Keys' }).waitFor()
    const row = page.getByRole('table', { name: 'API keys' }).getByRole('row', { name: /Leaked key/ })
    await expect.poll(async () => row.innerText()).toContain('Exposed')
    await page.getByRole('button', { name: 'Leaked key', exact: true }).click()
    const drawer = page.getByRole('dialog', { name: 'Leaked key' })
    await expect.poll(async () => drawer.innerText()).toContain('Key exposed')
    expect(await drawer.getByRole('link', { name: url }).getAttribute('href')).toBe(url)
    expect(await drawer.innerText()).toContain('GitHub secret scanning')
    await page.keyboard.press('Escape')
  })

  it('7. a Viewer sees no Create button, and a crafted create from their session gets 403', async () => {
    const password = 'viewer password 123'
    const viewer = await keyward.users.createWithPassword({
      email: 'viewer@demo.keyward.test',
      name: 'Vi',
      password,
    })
    await keyward.services.accounts.addMember(operator, {
      accountId: demo.accountId,
      userId: viewer.id,
      role: 'viewer',
    })
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    await signIn('viewer@demo.keyward.test', password)
    await page.getByRole('link', { name: 'API Keys' }).click()
    await page.getByRole('heading', { name: 'API Keys' }).waitFor()
    await page.getByText('You have read-only access to API keys.').waitFor()
    expect(await page.getByRole('button', { name: 'Create API Key' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: /^Revoke / }).count()).toBe(0)

    const crafted = await page.evaluate(
      async ({ accountId, projectId }) => {
        const { token } = await (await fetch('/api/dashboard/csrf')).json()
        const response = await fetch(`/api/dashboard/accounts/${accountId}/keys`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': token },
          body: JSON.stringify({ projectId, name: 'Crafted', expires: 'never', scopes: null }),
        })
        return { status: response.status, body: await response.json() }
      },
      { accountId: demo.accountId, projectId: project().id },
    )
    expect(crafted).toEqual({
      status: 403,
      body: { error: 'forbidden', message: 'This requires the settings.manage permission', status: 403 },
    })
    const names = (await keyward.services.keys.list(operator, { accountId: demo.accountId })).map(
      (k) => k.name,
    )
    expect(names).not.toContain('Crafted')
  })
})
