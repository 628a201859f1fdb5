import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoFacts } from '../src/core/demo.ts'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { seriousA11yFindings } from './support/axe.ts'
import { browserAvailable } from './support/browser.ts'
import { type DemoDashboard, startDemoDashboard } from './support/demo-dashboard.ts'

const day = 86_400_000

/**
 * Team → API key policy in a real browser: the Owner sees which keys a shorter maximum lifetime would stop before
 * saving it, the stopped key is refused by the API and shown Expired, the Create API Key dialog follows the policy,
 * and a Viewer sees the policy read-only. (dashboard.e2e.test.ts says why a missing browser skips this.)
 */
describe.skipIf(!browserAvailable)('API key policy in a real browser', { timeout: 120_000 }, () => {
  let dashboard: DemoDashboard
  let keyward: Keyward
  let page: Page
  let baseUrl: string
  let demo: DemoFacts
  const keys = { old: '', young: '' }

  beforeAll(async () => {
    dashboard = await startDemoDashboard({
      viewport: { width: 1280, height: 900 },
      seed: async (keyward, demo) => {
        const projectId = demo.projects[0]?.id ?? ''
        const old = await keyward.services.keys.create(operator, { projectId, name: 'Old key' })
        const young = await keyward.services.keys.create(operator, { projectId, name: 'Young key' })
        // Created 40 days ago: what a shorter maximum lifetime catches.
        await keyward.database.db
          .updateTable('api_keys')
          .set({ created_at: Date.now() - 40 * day })
          .where('id', '=', old.id)
          .execute()
        keys.old = old.key
        keys.young = young.key
      },
    })
    ;({ keyward, page, baseUrl, demo } = dashboard)
  }, 180_000)

  afterAll(() => dashboard?.close(), 180_000)

  const whoami = (key: string) =>
    fetch(`${baseUrl}/api/v2/key`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status)

  async function signIn(email: string, password: string) {
    await page.goto('/')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'Team' }).click()
    await page.getByRole('heading', { name: 'API key policy' }).waitFor()
  }

  it('the Owner previews the keys a 30-day maximum would stop, saves it, and the API refuses the old key', async () => {
    expect([await whoami(keys.old), await whoami(keys.young)]).toEqual([200, 200])
    await signIn(demo.owner.email, demo.owner.password ?? '')
    const form = page.getByRole('form', { name: 'API key policy' })
    await form.getByLabel('Maximum lifetime (days)').fill('30')
    const preview = form.getByTestId('policy-preview')
    await preview.getByText('1 key will stop working when you save').waitFor()
    expect(await preview.innerText()).toContain('Old key')
    expect(await preview.innerText()).not.toContain('Young key')
    expect(await seriousA11yFindings(page)).toEqual([])
    await form.getByRole('checkbox', { name: 'Require an expiration on new keys' }).click()
    await form.getByLabel('Default scopes for new keys').selectOption({ label: 'Read-only' })
    await form.getByRole('button', { name: 'Save policy' }).click()
    await form.getByRole('status').getByText('API key policy saved.').waitFor()
    await page.screenshot({ path: 'test-results/key-policy.png' })

    expect(await keyward.services.keyPolicy.get(operator, { accountId: demo.accountId })).toEqual({
      requireExpiry: true,
      maxLifetimeDays: 30,
      defaultScopes: 'read',
      leakResponse: 'revoke',
      mcpKeys: true,
      mcpOAuth: true,
    })
    expect([await whoami(keys.old), await whoami(keys.young)]).toEqual([401, 200])
  })

  it('the key table shows the stopped key Expired, and the create dialog follows the policy', async () => {
    await page.getByRole('link', { name: 'API Keys' }).click()
    const oldRow = page.getByRole('row', { name: /Old key/ })
    await oldRow.waitFor()
    await expect.poll(() => oldRow.innerText()).toMatch(/Expired/)
    await page.getByRole('button', { name: 'Create API Key' }).click()
    const dialog = page.getByRole('dialog', { name: 'Create API Key' })
    const expiration = dialog.getByLabel('Expiration')
    await expiration.waitFor()
    // Only the preset within the 30-day maximum; a custom date or duration is checked by the server.
    expect(await expiration.locator('option').allInnerTexts()).toEqual([
      '30 days',
      'Custom date…',
      'Custom duration…',
    ])
    expect(await dialog.getByRole('checkbox', { name: 'visibility.read' }).getAttribute('aria-checked')).toBe(
      'true',
    )
    expect(await dialog.getByRole('checkbox', { name: 'actions.write' }).getAttribute('aria-checked')).toBe(
      'false',
    )
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
  })

  it('a Viewer sees the policy read-only', async () => {
    const password = 'viewer password 123'
    const viewer = await keyward.users.createWithPassword({
      email: 'viewer@policy.test',
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
    await signIn('viewer@policy.test', password)
    await page.getByText('Only Owners can change the API key policy.').waitFor()
    const summary = await page.getByLabel('API key policy').getByRole('definition').allInnerTexts()
    expect(summary).toEqual(['Yes', '30 days', 'Read-only', 'Revoke the key at once'])
    expect(await page.getByRole('button', { name: 'Save policy' }).count()).toBe(0)
  })
})
