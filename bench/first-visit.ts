/**
 * What a first visit to API Keys downloads (sign-in page → sign in → API Keys, fresh browser profile), per response
 * and in total, as Chromium's network stack counted it (CDP `Network.loadingFinished.encodedDataLength`: headers
 * plus encoded body). API JSON is left out: the budget is about the app's own files.
 *
 *   npx tsx bench/first-visit.ts [WEB_DIST]     # default: web/dist (run `npm run build:web` first)
 *
 * Pointing WEB_DIST at an older build (one without .br/.gz copies) measures the "before".
 */
import { resolve } from 'node:path'
import { loadConfig } from '../src/config.ts'
import { ensureDemo } from '../src/core/demo.ts'
import { appDeps, composeKeyward } from '../src/main.ts'
import { migrateToLatest, openDatabase } from '../src/storage/database.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { launchBrowser } from '../test/support/browser.ts'
import { firstVisitToApiKeys, totalBytes } from '../test/support/first-visit.ts'

const webDist = resolve(process.argv[2] ?? 'web/dist')
const database = openDatabase(':memory:')
await migrateToLatest(database.db)
const keyward = await composeKeyward(loadConfig({}), { database })
const demo = await ensureDemo(keyward)
const app = await buildApp({ ...appDeps(keyward), logLevel: 'silent', webDist })
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
if (!address || typeof address === 'string') throw new Error('no port')
const browser = await launchBrowser()
try {
  const transfers = await firstVisitToApiKeys(browser, `http://127.0.0.1:${address.port}`, {
    email: demo.owner.email,
    password: demo.owner.password ?? '',
  })
  const byType = new Map<string, number>()
  for (const t of transfers) byType.set(t.type, (byType.get(t.type) ?? 0) + t.encodedBytes)
  console.log(`web dist: ${webDist}`)
  for (const [type, bytes] of byType) console.log(`${type.padEnd(12)} ${(bytes / 1024).toFixed(1)} KB`)
  console.log(
    `${'total'.padEnd(12)} ${(totalBytes(transfers) / 1024).toFixed(1)} KB in ${transfers.length} responses`,
  )
} finally {
  await browser.close()
  await app.close()
  await keyward.close()
}
