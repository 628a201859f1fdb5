import { execFile } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { promisify } from 'node:util'
import type { FastifyInstance } from 'fastify'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { type DemoFacts, ensureDemo } from '../src/core/demo.ts'
import { operator } from '../src/core/model.ts'
import { appDeps, composeKeyward, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { animationsSettled, seriousA11yFindings } from './support/axe.ts'
import { browserAvailable, buildDashboard, launchBrowser } from './support/browser.ts'
import { sqliteDatabase } from './support/databases.ts'

const run = promisify(execFile)

/** A phone (mobile emulation: touch, a 3× screen) and a laptop. */
const sizes = [
  {
    name: 'phone',
    width: 390,
    context: {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 3,
    },
  },
  { name: 'desktop', width: 1440, context: { viewport: { width: 1440, height: 900 } } },
] as const

const bulkKeys = 505
const pages = ['Home', 'Projects', 'Team', 'API Keys', 'Webhooks', 'Agent Activity', 'History'] as const

// The dashboard built once for both sizes; each size has its own server (its own keys) and browser.
let webDist = ''
beforeAll(async () => {
  if (browserAvailable) webDist = await buildDashboard()
}, 180_000)
afterAll(async () => {
  if (webDist) await rm(webDist, { recursive: true, force: true })
})

/**
 * Issue #19 at 390 × 844 and at 1440 × 900: every page fits the screen, axe finds nothing serious on any page or
 * dialog, a new key is not lost to Escape, 505 keys are searched and paged by the server with the view in the URL.
 */
describe.skipIf(!browserAvailable).each(sizes)('dashboard at $width px', { timeout: 180_000 }, (size) => {
  let keyward: Keyward
  let app: FastifyInstance
  let browser: Browser
  let page: Page
  let baseUrl: string
  let demo: DemoFacts

  beforeAll(async () => {
    keyward = await composeKeyward(loadConfig({}), { database: await sqliteDatabase.open() })
    demo = await ensureDemo(keyward)
    const project = demo.projects[0]
    if (!project) throw new Error('the demo has no project')
    // Through the use-case, as `keyward key create` would: 505 keys, created by the operator.
    for (let i = 1; i <= bulkKeys; i++) {
      await keyward.services.keys.create(operator, {
        projectId: project.id,
        name: `Bulk key ${String(i).padStart(3, '0')}`,
        expires: 'never',
        scopes: null,
      })
    }
    // An expired key (no expiry choice is in the past, so straight into storage).
    await keyward.storage.keys.insert({
      id: randomUUID(),
      projectId: project.id,
      name: 'Lapsed key',
      prefix: 'dtk_live_0000',
      scopes: null,
      expiresAt: Date.now() - 86_400_000,
      createdBy: null,
      createdAt: Date.now() - 40 * 86_400_000,
      keyHash: randomBytes(32).toString('hex'),
    })
    app = await buildApp({ ...appDeps(keyward), logLevel: 'silent', webDist })
    await app.listen({ port: 0, host: '127.0.0.1' })
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    browser = await launchBrowser()
    const context = await browser.newContext({ baseURL: baseUrl, ...size.context })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl })
    page = await context.newPage()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await keyward?.close()
  }, 60_000)

  const overflow = () =>
    page.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) - window.innerWidth)
  async function expectAccessible(what: string) {
    expect(await seriousA11yFindings(page), what).toEqual([])
  }
  /** A dialog lies wholly on screen. */
  async function expectOnScreen(dialog: ReturnType<Page['getByRole']>) {
    await animationsSettled(page)
    const box = await dialog.boundingBox()
    expect(box).not.toBeNull()
    if (!box) return
    expect(box.x).toBeGreaterThanOrEqual(0)
    expect(box.x + box.width).toBeLessThanOrEqual(size.width)
  }
  const menuButton = () => page.getByRole('button', { name: 'Menu' })
  async function go(label: (typeof pages)[number]) {
    if (await menuButton().isVisible()) {
      await menuButton().click()
      expect(await menuButton().getAttribute('aria-expanded')).toBe('true')
    }
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click()
    await page.getByRole('heading', { level: 1, name: label }).waitFor()
  }
  const keysTable = () => page.getByRole('table', { name: 'API keys' })
  const summary = () => page.getByRole('navigation', { name: 'Pagination' }).locator('.pagination-summary')

  it('signs in; below the breakpoint the navigation is a Menu button', async () => {
    await page.goto('/')
    await page.getByLabel('Email').fill(demo.owner.email)
    await page.getByLabel('Password').fill(demo.owner.password ?? '')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('.app-shell').waitFor()
    const nav = page.getByRole('navigation', { name: 'Main' })
    if (size.width < 800) {
      expect(await nav.isVisible()).toBe(false) // folded: the page gets the screen
      expect(await menuButton().getAttribute('aria-expanded')).toBe('false')
    } else {
      expect(await nav.isVisible()).toBe(true)
      expect(await menuButton().isVisible()).toBe(false)
    }
  })

  it('every page fits the screen width and has no serious or critical axe finding', async () => {
    for (const label of pages) {
      await go(label)
      await page.waitForLoadState('networkidle')
      expect(await overflow(), `${label} is wider than the screen`).toBeLessThanOrEqual(0)
      await expectAccessible(label)
    }
  })

  let rawKey = ''

  it('creates a key: a preset, scope descriptions and a warning for a name already in the project', async () => {
    await go('API Keys')
    await page.getByRole('button', { name: 'Create API Key' }).click()
    const dialog = page.getByRole('dialog', { name: 'Create API Key' })
    await dialog.waitFor()
    await expectOnScreen(dialog)
    expect(await overflow()).toBeLessThanOrEqual(0)
    // Each scope is described by what it opens, from the capability table.
    const visibility = dialog.getByRole('checkbox', { name: 'visibility.read' })
    const describedBy = () =>
      visibility.evaluate(
        (box) => document.getElementById(box.getAttribute('aria-describedby') ?? '')?.textContent ?? '',
      )
    await expect.poll(describedBy).toContain('GET visibility/summary')
    await dialog.getByLabel('Name').fill('Bulk key 007')
    await dialog.getByText('already has this name').waitFor()
    await expectAccessible('Create API Key dialog')
    await dialog.getByLabel('Name').fill(`Key at ${size.width}`)
    await expect.poll(() => dialog.getByText('already has this name').count()).toBe(0)
    await dialog.getByRole('radio', { name: /Read-only/ }).check()
    expect(await dialog.getByRole('checkbox', { name: 'actions.write' }).getAttribute('aria-checked')).toBe(
      'false',
    )
    expect(await dialog.getByRole('checkbox', { name: 'tests.read' }).getAttribute('aria-checked')).toBe(
      'true',
    )
    await dialog.getByRole('checkbox', { name: 'tests.read' }).click()
    expect(await dialog.getByRole('radio', { name: /Custom/ }).isChecked()).toBe(true)
    await dialog.getByRole('radio', { name: /Read-only/ }).check()
    await dialog.getByRole('button', { name: 'Create key' }).click()
    const shown = dialog.getByLabel('API key', { exact: true })
    await shown.waitFor()
    rawKey = await shown.inputValue()
    expect(rawKey).toMatch(/^dtk_live_[0-9a-f]{64}$/)
  })

  it('the reveal: Escape asks before discarding an uncopied key, and the curl shown works as printed', async () => {
    const dialog = page.getByRole('dialog', { name: 'Create API Key' })
    await expectOnScreen(dialog)
    await expectAccessible('key reveal')
    const curl = await dialog.getByLabel('Try it with curl', { exact: true }).inputValue()
    expect(curl).toContain(`Authorization: Bearer ${rawKey}`)
    expect(curl).toContain(`${baseUrl}/api/v2/projects/${demo.projects[0]?.id}/visibility/summary`)
    const answered = await run('sh', ['-c', `${curl} -o /dev/null -w '%{http_code}'`])
    expect(answered.stdout).toBe('200')

    await page.keyboard.press('Escape')
    const ask = dialog.getByRole('alert').filter({ hasText: 'You have not copied this key' })
    await ask.waitFor()
    expect(await dialog.getByLabel('API key', { exact: true }).inputValue()).toBe(rawKey) // still there
    await expectAccessible('discard question')
    await dialog.getByRole('button', { name: 'Keep the key open' }).click()
    await expect.poll(() => ask.count()).toBe(0)
    await dialog.getByRole('button', { name: 'Close' }).click() // × asks too
    await ask.waitFor()
    await dialog.getByRole('button', { name: 'Copy API key' }).click()
    await dialog.getByRole('button', { name: 'Copy API key' }).getByText('Copied').waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(rawKey)
    await page.keyboard.press('Escape') // copied: it closes without asking
    await dialog.waitFor({ state: 'detached' })
    expect(await page.content()).not.toContain(rawKey)
  })

  it('searches 505 keys by name and by prefix on the server; the search survives a reload', async () => {
    const search = page.getByLabel('Search keys')
    await search.fill('bulk key 42')
    await expect.poll(() => summary().innerText()).toContain('10 keys')
    expect(new URL(page.url()).searchParams.get('q')).toBe('bulk key 42')
    const names = await keysTable().locator('tbody tr td.name-cell').allInnerTexts()
    expect(names.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `Bulk key 42${i}`))
    await page.reload()
    await expect.poll(() => summary().innerText()).toContain('10 keys')
    expect(await page.getByLabel('Search keys').inputValue()).toBe('bulk key 42')

    const someKey = (await keyward.services.keys.list(operator, { accountId: demo.accountId })).find(
      (key) => key.name === 'Bulk key 300',
    )
    if (!someKey) throw new Error('no Bulk key 300')
    await page.getByLabel('Search keys').fill(someKey.prefix)
    await expect
      .poll(() =>
        keysTable()
          .getByRole('row', { name: /Bulk key 300/ })
          .count(),
      )
      .toBe(1)
    const prefixes = await keysTable().locator('tbody code.prefix').allInnerTexts()
    expect(prefixes.every((prefix) => prefix === someKey.prefix)).toBe(true)
    expect(await overflow()).toBeLessThanOrEqual(0)
  })

  it('pages with numbers and a page size; sort, page and size survive a reload', async () => {
    await page.getByLabel('Search keys').fill('')
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBeNull()
    await expect.poll(() => summary().innerText()).toContain(`${bulkKeys + 3} keys`) // + the demo's, + ours, + Lapsed
    await page.getByLabel('Rows per page').selectOption('50')
    await page.getByRole('button', { name: 'Name', exact: true }).click()
    await page.getByRole('button', { name: 'Page 2', exact: true }).click()
    await page.getByRole('button', { name: 'Page 3', exact: true }).click()
    await expect
      .poll(() => keysTable().locator('tbody tr td.name-cell').first().innerText())
      .toMatch(/^Bulk key 101/)
    const url = new URL(page.url())
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      size: '50',
      sort: 'name',
      order: 'asc',
      page: '3',
    })
    await page.reload()
    await expect
      .poll(() => keysTable().locator('tbody tr td.name-cell').first().innerText())
      .toMatch(/^Bulk key 101/)
    expect(await keysTable().locator('tbody tr').count()).toBe(50)
    expect(await page.getByRole('button', { name: 'Page 3', exact: true }).getAttribute('aria-current')).toBe(
      'page',
    )
    expect(await page.getByLabel('Rows per page').inputValue()).toBe('50')
    // Every row names its creator and when.
    expect(
      await keysTable()
        .getByRole('row', { name: /Bulk key 101/ })
        .innerText(),
    ).toContain('by Operator (CLI)')
    await page.getByRole('button', { name: 'Page 11', exact: true }).click() // the last: 508 keys over 50
    await expect.poll(() => keysTable().locator('tbody tr').count()).toBe(8)
    expect(await overflow()).toBeLessThanOrEqual(0)
    await expectAccessible('API Keys, page 11')
  })

  it('an expired key offers no Scopes action; a revoked key none at all', async () => {
    await page.getByLabel('Search keys').fill('Lapsed')
    const row = keysTable().getByRole('row', { name: /Lapsed key/ })
    await row.waitFor()
    expect(await row.innerText()).toContain('Expired')
    expect(await row.getByRole('button', { name: /^Edit scopes/ }).count()).toBe(0)
    expect(await row.getByRole('button', { name: 'Revoke Lapsed key' }).count()).toBe(1)
  })

  it('Edit scopes and Revoke: on screen, accessible, and focus lands back in the row, not on <body>', async () => {
    await page.getByLabel('Search keys').fill(`Key at ${size.width}`)
    const row = keysTable().getByRole('row', { name: new RegExp(`Key at ${size.width}`) })
    await row.waitFor()
    await row.getByRole('button', { name: /^Edit scopes/ }).click()
    const edit = page.getByRole('dialog', { name: 'Edit scopes' })
    await edit.waitFor()
    expect(await edit.getByRole('radio', { name: /Read-only/ }).isChecked()).toBe(true)
    await expectOnScreen(edit)
    await expectAccessible('Edit scopes dialog')
    await page.keyboard.press('Escape')
    await edit.waitFor({ state: 'detached' })

    await row.getByRole('button', { name: /^Revoke/ }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Revoke API key' })
    await confirm.waitFor()
    await expectOnScreen(confirm)
    await expectAccessible('Revoke dialog')
    await confirm.getByRole('button', { name: 'Revoke key' }).click()
    await confirm.waitFor({ state: 'detached' })
    await expect.poll(() => row.innerText()).toContain('Revoked')
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY')
    expect(await row.evaluate((node) => node.contains(document.activeElement))).toBe(true)
  })

  it('the key drawer shows its creator and its whole history table, and passes axe', async () => {
    await keysTable()
      .getByRole('button', { name: `Key at ${size.width}`, exact: true })
      .click()
    const drawer = page.getByRole('dialog', { name: `Key at ${size.width}` })
    await drawer.getByRole('table', { name: 'Key history' }).waitFor()
    expect(await drawer.innerText()).toMatch(/Created by\s+Demo Owner/)
    await expectOnScreen(drawer)
    // Nothing of the history is clipped: it fits, or its box scrolls (and the keyboard can reach it).
    const clipped = await drawer.locator('.table-wrap').evaluate((wrap) => {
      const table = wrap.querySelector('table')
      return table
        ? table.getBoundingClientRect().right > wrap.getBoundingClientRect().right + 1 &&
            wrap.scrollWidth <= wrap.clientWidth
        : true
    })
    expect(clipped).toBe(false)
    await expectAccessible('key drawer')
    await drawer.getByRole('tab', { name: 'Usage' }).click()
    await drawer.getByText('Requests (30 days)').waitFor()
    await expectAccessible('key drawer, Usage tab')
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })
  })

  it('invites a member from a dialog that stays on screen', async () => {
    await go('Team')
    expect(await overflow()).toBeLessThanOrEqual(0)
    await page.getByRole('button', { name: 'Invite member' }).click()
    const dialog = page.getByRole('dialog', { name: 'Invite member' })
    await dialog.waitFor()
    await expectOnScreen(dialog)
    await expectAccessible('Invite member dialog')
    await dialog.getByLabel('Email').fill(`invitee-${size.width}@demo.keyward.test`)
    await dialog.getByLabel('Role', { exact: true }).selectOption('viewer')
    await dialog.getByRole('button', { name: 'Create invite link' }).click()
    const link = dialog.getByLabel('Invite link', { exact: true })
    await link.waitFor()
    expect(await link.inputValue()).toMatch(new RegExp(`^${baseUrl}/invite/[A-Za-z0-9_-]{43}$`))
    await expectAccessible('invite link')
    await dialog.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('row', { name: new RegExp(`invitee-${size.width}`) }).waitFor()
  })

  it('the API Keys page as docs/screenshots shows it', async () => {
    await go('API Keys')
    await page.getByLabel('Search keys').fill('')
    await keysTable().waitFor()
    await mkdir('docs/screenshots', { recursive: true })
    await page.screenshot({ path: `docs/screenshots/keys-${size.width}.png` })
  })
})
