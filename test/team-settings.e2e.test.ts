import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoFacts } from '../src/core/demo.ts'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { seriousA11yFindings } from './support/axe.ts'
import { browserAvailable } from './support/browser.ts'
import { testPassword } from './support/dashboard.ts'
import { type DemoDashboard, startDemoDashboard } from './support/demo-dashboard.ts'
import { newUser } from './support/keyward.ts'

/** Team → Settings and the invitation page, in a real browser against a real server. */
describe.skipIf(!browserAvailable)('team settings in a real browser', { timeout: 120_000 }, () => {
  let dashboard: DemoDashboard
  let keyward: Keyward
  let baseUrl: string
  let demo: DemoFacts
  let newPage: () => Promise<Page>

  beforeAll(async () => {
    dashboard = await startDemoDashboard()
    ;({ keyward, baseUrl, demo, newPage } = dashboard)
  }, 180_000)
  afterAll(() => dashboard?.close(), 180_000)

  async function signIn(page: Page, email: string, password: string) {
    await page.goto('/sign-in')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'API Keys' }).waitFor()
  }
  const account = () =>
    keyward.database.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', demo.accountId)
      .executeTakeFirstOrThrow()

  it('the owner renames the team and changes its slug on the Team page', async () => {
    const page = await newPage()
    await signIn(page, demo.owner.email, demo.owner.password ?? '')
    await page.goto(`/a/${demo.accountId}/team`)
    const settings = page.getByRole('region', { name: 'Team settings' })
    await settings.waitFor()
    expect(await seriousA11yFindings(page)).toEqual([])
    await settings.getByLabel('Team name').fill('Northwind Labs')
    await settings.getByLabel('Slug').fill('northwind-labs')
    await settings.getByRole('button', { name: 'Save settings' }).click()
    await settings.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
    expect(await account()).toMatchObject({ name: 'Northwind Labs', slug: 'northwind-labs' })
    // A bad slug is refused with the server's reason, and nothing changes.
    await settings.getByLabel('Slug').fill('Not A Slug')
    await settings.getByRole('button', { name: 'Save settings' }).click()
    await settings.getByText(/Invalid slug/).waitFor()
    expect((await account()).slug).toBe('northwind-labs')
    await page.screenshot({ path: 'test-results/team-settings.png', fullPage: true })
    await page.context().close()
  })

  it('an invite link names the team and the role before sign-in; a new link replaces the old one', async () => {
    const email = `invitee-${Date.now()}@example.test`
    const { token } = await keyward.services.team.createInvitation(operator, {
      accountId: demo.accountId,
      email,
      role: 'viewer',
    })
    const visitor = await newPage()
    await visitor.goto(`/invite/${token}`)
    await visitor.getByRole('heading', { name: 'Join Northwind Labs' }).waitFor()
    await visitor.getByText('You are invited to join Northwind Labs as Viewer.').waitFor()
    expect(await visitor.getByText(email).count()).toBe(0) // the address is not shown before sign-in
    expect(await seriousA11yFindings(visitor)).toEqual([])

    const owner = await newPage()
    await signIn(owner, demo.owner.email, demo.owner.password ?? '')
    await owner.goto(`/a/${demo.accountId}/team`)
    await owner.getByRole('button', { name: `New link for ${email}` }).click()
    const dialog = owner.getByRole('dialog', { name: 'New invite link' })
    const link = await dialog.getByRole('textbox', { name: 'Invite link' }).inputValue()
    expect(await seriousA11yFindings(owner)).toEqual([])
    expect(link).toMatch(new RegExp(`^${baseUrl}/invite/[A-Za-z0-9_-]{43}$`))
    expect(link).not.toContain(token)
    await dialog.getByRole('button', { name: 'Done' }).click()

    await visitor.reload()
    await visitor.getByText('This invitation link is not valid').waitFor()
    await visitor.goto(link)
    await visitor.getByText('You are invited to join Northwind Labs as Viewer.').waitFor()
    await visitor.context().close()
    await owner.context().close()
  })

  it('the primary owner deletes a team by typing its name; its keys stop at once', async () => {
    const primary = await newUser(keyward, 'primary')
    const user = await keyward.users.findById(primary.userId)
    const team = await keyward.services.accounts.create(primary, { name: 'Doomed Team', plan: 'pro' })
    const project = await keyward.services.projects.create(primary, { accountId: team.id, name: 'Site' })
    const { key } = await keyward.services.keys.create(primary, { projectId: project.id, name: 'Agent' })
    const rest = () =>
      fetch(`${baseUrl}/api/v2/projects/${project.id}/visibility/summary`, {
        headers: { authorization: `Bearer ${key}` },
      })
    expect((await rest()).status).toBe(200)

    const page = await newPage()
    await signIn(page, user?.email ?? '', testPassword)
    await page.goto(`/a/${team.id}/team`)
    await page.getByRole('button', { name: 'Delete team' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete team' })
    const confirm = dialog.getByRole('button', { name: 'Delete this team' })
    await dialog.getByLabel('Team name').fill('Doomed')
    expect(await confirm.isDisabled()).toBe(true)
    expect(await seriousA11yFindings(page)).toEqual([])
    await dialog.getByLabel('Team name').fill('Doomed Team')
    await confirm.click()
    await page.waitForURL((url) => !url.pathname.startsWith(`/a/${team.id}`))
    const refused = await rest()
    expect(refused.status).toBe(401)
    expect(await refused.json()).toEqual({
      error: 'unauthorized',
      message: 'Invalid or missing API key',
      status: 401,
    })
    expect(await keyward.storage.accounts.findById(team.id)).toBeUndefined()
    await page.context().close()
  })
})
