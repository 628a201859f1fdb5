import { rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appDeps, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { seriousA11yFindings } from './support/axe.ts'
import { browserAvailable, buildDashboard, launchBrowser } from './support/browser.ts'
import { testPassword } from './support/dashboard.ts'
import { teamWithProject, testClock, testKeyward } from './support/keyward.ts'

const day = 86_400_000

/** The key lifecycle banners on Home and API Keys, in a real browser against a real server. */
describe.skipIf(!browserAvailable)('key notice banners in a real browser', { timeout: 120_000 }, () => {
  let keyward: Keyward
  let app: FastifyInstance
  let browser: Browser
  let page: Page
  let webDist: string
  let accountId: string
  let email: string

  beforeAll(async () => {
    webDist = await buildDashboard()
    const clock = testClock(Date.now() - 40 * day)
    keyward = await testKeyward({ clock })
    const team = await teamWithProject(keyward)
    accountId = team.account.id
    const create = (name: string, expires: string) =>
      keyward.services.keys.create(team.owner, { projectId: team.project.id, name, expires })
    await create('Forgotten integration', 'never') // 40 days old, never used
    clock.set(Date.now() - 25 * day)
    await create('Nightly export', '30d') // 5 days left
    clock.set(Date.now())
    await create('Fresh key', '90d') // nothing to say about it
    email = (await keyward.users.findById(team.owner.userId))?.email ?? ''
    app = await buildApp({ ...appDeps(keyward), logLevel: 'silent', webDist })
    await app.listen({ port: 0, host: '127.0.0.1' })
    browser = await launchBrowser()
    const baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    page = await (await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } })).newPage()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await keyward?.close()
    if (webDist) await rm(webDist, { recursive: true, force: true })
  }, 180_000)

  it('Home and API Keys warn of a key expiring within 7 days and one unused for 30 days', async () => {
    await page.goto('/')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(testPassword)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'API Keys', exact: true }).waitFor()

    await page.goto(`/a/${accountId}`)
    const home = page.getByRole('region', { name: 'Key notices' })
    await home.waitFor()
    const expiring = home.locator('[data-notice="expiring"]')
    await expect
      .poll(() => expiring.innerText())
      .toMatch(/^1 key expires within 7 days: Nightly export \(Website\)/)
    expect(await home.locator('[data-notice="unused"]').innerText()).toBe(
      '1 active key has not been used for 30 days: Forgotten integration (Website). Revoke what nobody needs.',
    )
    expect(await home.locator('[data-notice="grace"]').count()).toBe(0)
    await home.getByRole('link', { name: 'Review these keys' }).click()

    await page.getByRole('heading', { name: 'API Keys' }).waitFor()
    const keysPage = page.getByRole('region', { name: 'Key notices' })
    await expect
      .poll(() => keysPage.locator('[data-notice="expiring"]').innerText())
      .toContain('Nightly export (Website)')
    expect(await keysPage.innerText()).not.toContain('Fresh key')

    // Revoking the forgotten key clears its banner.
    await keyward.services.keys.revoke(
      { kind: 'operator' },
      {
        keyId:
          (await keyward.storage.keys.listByAccount(accountId, { hideRevoked: true })).find(
            (k) => k.name === 'Forgotten integration',
          )?.id ?? '',
      },
    )
    await page.reload()
    await page.locator('[data-notice="expiring"]').waitFor()
    expect(await page.locator('[data-notice="unused"]').count()).toBe(0)
    expect(await seriousA11yFindings(page)).toEqual([])
  })
})
