import { rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { loadConfig } from '../../src/config.ts'
import { type DemoFacts, ensureDemo } from '../../src/core/demo.ts'
import { appDeps, composeKeyward, type Keyward, servedAppDeps } from '../../src/main.ts'
import { buildApp } from '../../src/transport/http/app.ts'
import { buildDashboard, launchBrowser } from './browser.ts'
import { sqliteDatabase } from './databases.ts'
import { freePort } from './served.ts'

/** The demo team on SQLite, served with a fresh build of the dashboard on a loopback port, and one Chromium page. */
export interface DemoDashboard {
  keyward: Keyward
  demo: DemoFacts
  baseUrl: string
  page: Page
  /** Another page in a context of its own (its own cookies): a second user, or a visitor not signed in. */
  newPage(): Promise<Page>
  close(): Promise<void>
}

/**
 * What each browser test of one feature starts from. `seed` runs after the demo is made and before the server
 * listens (keys a test needs, a backdated row). The activity writer runs, as in `keyward serve`.
 */
export async function startDemoDashboard(
  options: {
    seed?: (keyward: Keyward, demo: DemoFacts) => Promise<void>
    viewport?: { width: number; height: number }
    /**
     * Serve on a port chosen beforehand and named by `KEYWARD_PUBLIC_URL`, as a deployment does: what needs this
     * server's own address (the OAuth issuer and resource) then names the address the browser uses.
     */
    publicUrl?: boolean
    /** Mount what `keyward serve` mounts (MCP OAuth's authorization server among it), not only the core app. */
    asServed?: boolean
  } = {},
): Promise<DemoDashboard> {
  const webDist = await buildDashboard()
  const port = options.publicUrl ? await freePort() : 0
  const env = options.publicUrl ? { KEYWARD_PUBLIC_URL: `http://127.0.0.1:${port}` } : {}
  const keyward = await composeKeyward(loadConfig(env), { database: await sqliteDatabase.open() })
  const demo = await ensureDemo(keyward)
  await options.seed?.(keyward, demo)
  const deps = options.asServed ? await servedAppDeps(keyward) : appDeps(keyward)
  const app = await buildApp({ ...deps, logLevel: 'silent', webDist })
  keyward.activity.start()
  await app.listen({ port, host: '127.0.0.1' })
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const browser = await launchBrowser()
  const viewport = options.viewport ?? { width: 1440, height: 900 }
  const newPage = async () => (await browser.newContext({ baseURL: baseUrl, viewport })).newPage()
  return {
    keyward,
    demo,
    baseUrl,
    page: await newPage(),
    newPage,
    async close() {
      await browser.close()
      await app.close()
      await keyward.close()
      await rm(webDist, { recursive: true, force: true })
    },
  }
}

/** Signs in on the dashboard's sign-in page. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}
