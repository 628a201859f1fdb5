import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoFacts } from '../src/core/demo.ts'
import type { Keyward } from '../src/main.ts'
import { seriousA11yFindings } from './support/axe.ts'
import { browserAvailable, chromiumPath } from './support/browser.ts'
import { type DemoDashboard, startDemoDashboard } from './support/demo-dashboard.ts'

if (!browserAvailable) console.log(`\nBrowser suite SKIPPED: no chromium at ${chromiumPath}\n`)

// biome.json turns off useDomNodeTextContent for e2e tests: `innerText()` here is Playwright's locator method.

/**
 * Roll key in a real browser: a key made with a custom lifetime is rolled with a 1-hour grace, its new secret is
 * revealed once, both secrets work, the table says the previous one is still in use, and the expiry is then changed.
 */
describe.skipIf(!browserAvailable)('rolling a key in a real browser', { timeout: 120_000 }, () => {
  let dashboard: DemoDashboard
  let keyward: Keyward
  let page: Page
  let baseUrl: string
  let demo: DemoFacts

  beforeAll(async () => {
    dashboard = await startDemoDashboard()
    ;({ keyward, page, baseUrl, demo } = dashboard)
  }, 180_000)

  afterAll(() => dashboard?.close(), 180_000)

  const projectId = () => demo.projects[0]?.id ?? ''
  const api = (key: string) =>
    fetch(`${baseUrl}/api/v2/projects/${projectId()}/visibility/summary`, {
      headers: { authorization: `Bearer ${key}` },
    })
  const keyRow = () => page.getByRole('row', { name: /Rollable key/ })
  let firstKey = ''
  let rolledKey = ''

  it('creates a key that lives 2 hours, from the custom duration field', async () => {
    await page.goto('/')
    await page.getByLabel('Email').fill(demo.owner.email)
    await page.getByLabel('Password').fill(demo.owner.password ?? '')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'API Keys' }).click()
    await page.getByRole('button', { name: 'Create API Key' }).click()
    const dialog = page.getByRole('dialog', { name: 'Create API Key' })
    await dialog.getByLabel('Name').fill('Rollable key')
    await dialog.getByLabel('Expiration').selectOption({ label: 'Custom duration…' })
    await dialog.getByLabel('Expires after').fill('2h')
    await dialog.getByRole('button', { name: 'Create key' }).click()
    const shown = dialog.getByLabel('API key', { exact: true })
    await shown.waitFor()
    firstKey = await shown.inputValue()
    await dialog.getByRole('button', { name: 'Done' }).click()
    await dialog.getByRole('button', { name: 'Discard key' }).click() // never copied: asked first
    await keyRow().waitFor()
    expect(await keyRow().innerText()).toMatch(/in (1|2) hours?/)
  })

  it('rolls it with a 1-hour grace and reveals the new secret once', async () => {
    await page.getByRole('button', { name: 'Roll key Rollable key' }).click()
    const dialog = page.getByRole('dialog', { name: 'Roll key' })
    await dialog.getByLabel('Previous secret keeps working for').selectOption({ label: '1 hour' })
    expect(await seriousA11yFindings(page)).toEqual([])
    await dialog.getByRole('button', { name: 'Roll key' }).click()
    const shown = dialog.getByLabel('API key', { exact: true })
    await shown.waitFor()
    rolledKey = await shown.inputValue()
    expect(rolledKey).toMatch(/^dtk_live_[0-9a-f]{64}$/)
    expect(rolledKey).not.toBe(firstKey)
    await dialog.getByText('will not be shown again').waitFor()
    await dialog.getByText('The previous secret keeps working until').waitFor()
    await page.screenshot({ path: 'test-results/roll-key-dialog.png' })
    // A new secret never copied is not thrown away without asking, as on Create.
    await dialog.getByRole('button', { name: 'Done' }).click()
    await dialog.getByText('You have not copied this key').waitFor()
    expect(await seriousA11yFindings(page)).toEqual([])
    await dialog.getByRole('button', { name: 'Discard key' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expect.poll(() => keyRow().innerText()).toContain(rolledKey.slice(0, 13))
    expect(await keyRow().innerText()).toContain('Previous secret until')
    expect(await page.content()).not.toContain(rolledKey)
  })

  it('both secrets work during the grace, and the table says the previous one is still used', async () => {
    expect((await api(firstKey)).status).toBe(200)
    expect((await api(rolledKey)).status).toBe(200)
    await expect
      .poll(
        async () => {
          await page.reload()
          await keyRow().waitFor()
          return keyRow().innerText()
        },
        { timeout: 30_000 },
      )
      .toContain('Still used with the previous secret')
    const history = await keyward.storage.events.listByAccount(demo.accountId, 5)
    expect(history.find((e) => e.action === 'key.rotated')?.details).toMatchObject({ graceSeconds: 3600 })
  })

  it('changes the expiry to never from the Expiry dialog', async () => {
    await page.getByRole('button', { name: 'Change expiry of Rollable key' }).click()
    const dialog = page.getByRole('dialog', { name: 'Change expiration' })
    await dialog.getByLabel('New expiration').selectOption({ label: 'No expiration' })
    expect(await seriousA11yFindings(page)).toEqual([])
    await dialog.getByRole('button', { name: 'Save expiration' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expect.poll(() => keyRow().innerText()).toMatch(/Never/)
    const history = await keyward.storage.events.listByAccount(demo.accountId, 5)
    expect(history.find((e) => e.action === 'key.expiry_changed')?.details).toMatchObject({ to: null })
  })
})
