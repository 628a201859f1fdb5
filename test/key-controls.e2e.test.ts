import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoFacts } from '../src/core/demo.ts'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { seriousA11yFindings } from './support/axe.ts'
import { browserAvailable } from './support/browser.ts'
import { type DemoDashboard, signIn, startDemoDashboard } from './support/demo-dashboard.ts'

/**
 * The per-key controls in a real browser (issue #16 §3): the key drawer's Enabled switch pauses and resumes a key,
 * and two ticked rows are revoked with one confirmation. The REST API follows each change at once.
 */
describe.skipIf(!browserAvailable)('key controls in a real browser', { timeout: 120_000 }, () => {
  let dashboard: DemoDashboard
  let keyward: Keyward
  let page: Page
  let baseUrl: string
  let demo: DemoFacts
  const keys: Record<string, string> = {}

  beforeAll(async () => {
    dashboard = await startDemoDashboard({
      seed: async (keyward, demo) => {
        const projectId = demo.projects[0]?.id ?? ''
        for (const name of ['Fence A', 'Fence B', 'Fence C'])
          keys[name] = (await keyward.services.keys.create(operator, { projectId, name, scopes: null })).key
      },
    })
    ;({ keyward, page, baseUrl, demo } = dashboard)
    await signIn(page, demo.owner.email, demo.owner.password ?? '')
    await page.getByRole('link', { name: 'API Keys' }).click()
    await page.getByRole('heading', { name: 'API Keys' }).waitFor()
  }, 180_000)

  afterAll(() => dashboard?.close(), 180_000)

  function project() {
    const first = demo.projects[0]
    if (!first) throw new Error('the demo has no project')
    return first
  }
  const status = async (name: string) =>
    (
      await fetch(`${baseUrl}/api/v2/projects/${project().id}/webhooks`, {
        headers: { authorization: `Bearer ${keys[name]}` },
      })
    ).status
  const row = (name: string) => page.getByRole('row', { name: new RegExp(name) })

  it('the Enabled switch pauses a key (401, shown Disabled) and resumes it', async () => {
    expect(await status('Fence A')).toBe(200)
    await row('Fence A').getByRole('button', { name: 'Fence A', exact: true }).click()
    const drawer = page.getByRole('dialog', { name: 'Fence A' })
    await drawer.getByRole('tab', { name: 'Controls' }).click()
    const enabled = drawer.getByRole('switch', { name: 'Enabled' })
    expect(await enabled.getAttribute('aria-checked')).toBe('true')
    expect(await seriousA11yFindings(page)).toEqual([])
    await enabled.click()
    await expect.poll(() => enabled.getAttribute('aria-checked')).toBe('false')
    expect(await status('Fence A')).toBe(401)
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })
    await expect.poll(async () => row('Fence A').textContent()).toContain('Disabled')

    await row('Fence A').getByRole('button', { name: 'Fence A', exact: true }).click()
    await drawer.getByRole('tab', { name: 'Controls' }).click()
    await drawer.getByRole('switch', { name: 'Enabled' }).click()
    await expect
      .poll(() => drawer.getByRole('switch', { name: 'Enabled' }).getAttribute('aria-checked'))
      .toBe('true')
    expect(await status('Fence A')).toBe(200)
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })
    await expect.poll(async () => row('Fence A').textContent()).toContain('Active')
  })

  it('revokes two selected keys with one confirmation, and leaves the others alone', async () => {
    await page.getByRole('checkbox', { name: 'Select Fence B' }).check()
    await page.getByRole('checkbox', { name: 'Select Fence C' }).check()
    await page.getByRole('button', { name: 'Revoke selected (2)' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Revoke selected API keys' })
    await confirm.waitFor()
    expect(await seriousA11yFindings(page)).toEqual([])
    await confirm.getByRole('button', { name: 'Revoke 2 keys' }).click()
    await confirm.waitFor({ state: 'detached' })
    expect(await status('Fence B')).toBe(401)
    expect(await status('Fence C')).toBe(401)
    expect(await status('Fence A')).toBe(200)
    await expect.poll(async () => row('Fence B').textContent()).toContain('Revoked')
    await expect.poll(async () => row('Fence C').textContent()).toContain('Revoked')
    // The selection is cleared, and revoked rows cannot be ticked again.
    expect(await page.getByRole('button', { name: /Revoke selected/ }).count()).toBe(0)
    expect(await page.getByRole('checkbox', { name: 'Select Fence B' }).count()).toBe(0)
    const history = await keyward.storage.events.listByAccount(demo.accountId, 10)
    expect(history.filter((e) => e.action === 'key.revoked')).toHaveLength(2)
  })
})
