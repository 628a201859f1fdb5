import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { type DemoFacts, ensureDemo } from '../src/core/demo.ts'
import { appDeps, composeKeyward, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { browserAvailable, buildDashboard, launchBrowser } from './support/browser.ts'
import { sqliteDatabase } from './support/databases.ts'
import { firstVisitToApiKeys, totalBytes } from './support/first-visit.ts'

/** The budget of issue #19: everything a first visit to API Keys downloads, compressed, under 200 KB. */
const firstVisitBudget = 200 * 1024
const forever = 'public, max-age=31536000, immutable'

/** The built dashboard as the server sends it: precompressed, cached for good when hashed, revalidated when not. */
describe('dashboard assets', { timeout: 120_000 }, () => {
  let keyward: Keyward
  let app: FastifyInstance
  let webDist: string
  let demo: DemoFacts
  let scripts: string[]

  beforeAll(async () => {
    webDist = await buildDashboard()
    keyward = await composeKeyward(loadConfig({}), { database: await sqliteDatabase.open() })
    demo = await ensureDemo(keyward)
    app = await buildApp({ ...appDeps(keyward), logLevel: 'silent', webDist })
    scripts = (await readdir(join(webDist, 'assets'))).filter((name) => name.endsWith('.js'))
  }, 180_000)

  afterAll(async () => {
    await app?.close()
    await keyward?.close()
    if (webDist) await rm(webDist, { recursive: true, force: true })
  })

  const get = (url: string, acceptEncoding?: string) =>
    app.inject({ method: 'GET', url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} })
  /** recharts marks its wrapper element with this class name; no other code has it. */
  const chunksWithTheChartLibrary = async () => {
    const texts = await Promise.all(
      scripts.map(async (name) => ({ name, text: await readFile(join(webDist, 'assets', name), 'utf8') })),
    )
    return texts.filter((c) => c.text.includes('recharts-wrapper')).map((c) => c.name)
  }
  const largest = async () => {
    const sized = await Promise.all(
      scripts.map(async (name) => ({ name, size: (await readFile(join(webDist, 'assets', name))).length })),
    )
    return sized.sort((a, b) => b.size - a.size)[0]?.name ?? ''
  }

  it('sends a hashed script as brotli when the browser accepts it, cached for a year', async () => {
    const name = await largest()
    const original = await readFile(join(webDist, 'assets', name))
    const response = await get(`/assets/${name}`, 'gzip, deflate, br, zstd')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-encoding']).toBe('br')
    expect(response.headers.vary).toMatch(/accept-encoding/i)
    expect(response.headers['cache-control']).toBe(forever)
    expect(response.headers['content-type']).toMatch(/javascript/)
    expect(response.rawPayload.length).toBeLessThan(original.length / 2)
    expect(brotliDecompressSync(response.rawPayload).equals(original)).toBe(true)
  })

  it('sends gzip to a browser without brotli, and the plain file to one without either', async () => {
    const css = (await readdir(join(webDist, 'assets'))).find((name) => name.endsWith('.css')) ?? ''
    const original = await readFile(join(webDist, 'assets', css))
    const gzipped = await get(`/assets/${css}`, 'gzip')
    expect(gzipped.headers['content-encoding']).toBe('gzip')
    expect(gzipped.headers['cache-control']).toBe(forever)
    expect(gunzipSync(gzipped.rawPayload).equals(original)).toBe(true)
    const plain = await get(`/assets/${css}`)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers['cache-control']).toBe(forever)
    expect(plain.rawPayload.equals(original)).toBe(true)
  })

  it('compresses the page too, but has it revalidated: it names this build’s assets', async () => {
    const original = await readFile(join(webDist, 'index.html'))
    for (const path of ['/', `/a/${demo.accountId}/keys`, '/sign-in']) {
      const response = await get(path, 'br, gzip')
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-encoding']).toBe('br')
      expect(response.headers['cache-control']).toBe('no-cache')
      expect(brotliDecompressSync(response.rawPayload).equals(original)).toBe(true)
    }
    const gzipped = await get('/sign-in', 'gzip')
    expect(gzipped.headers['content-encoding']).toBe('gzip')
    expect(gzipped.headers['cache-control']).toBe('no-cache')
  })

  it('never serves a compressed copy by its own name as a different file, nor a missing asset as the page', async () => {
    expect((await get('/assets/missing.js', 'br')).statusCode).toBe(404)
  })

  it('splits code by route: the chart library is in no chunk the API Keys page loads', async () => {
    const chart = await chunksWithTheChartLibrary()
    expect(chart.length).toBe(1)
    const entry = (await readFile(join(webDist, 'index.html'), 'utf8')).match(/src="\/assets\/([^"]+)"/)?.[1]
    expect(entry).toBeTruthy()
    expect(chart).not.toContain(entry)
  })

  it.skipIf(!browserAvailable)(
    `a first visit to API Keys transfers under ${firstVisitBudget / 1024} KB, all of it compressed`,
    async () => {
      await app.listen({ port: 0, host: '127.0.0.1' })
      const address = app.server.address()
      if (!address || typeof address === 'string') throw new Error('no port')
      const browser = await launchBrowser()
      const transfers = await firstVisitToApiKeys(browser, `http://127.0.0.1:${address.port}`, {
        email: demo.owner.email,
        password: demo.owner.password ?? '',
      }).finally(() => browser.close())
      const total = totalBytes(transfers)
      console.log(`first visit to API Keys: ${transfers.length} responses, ${total} bytes`)
      expect(transfers.filter((t) => t.type === 'Script').length).toBeGreaterThan(2)
      expect(transfers.find((t) => t.type === 'Document')?.encoding).toBe('br')
      for (const t of transfers.filter((t) => t.type === 'Script' || t.type === 'Stylesheet'))
        expect({ url: t.url, encoding: t.encoding }).toEqual({ url: t.url, encoding: 'br' })
      const chartChunks = await chunksWithTheChartLibrary()
      expect(chartChunks.length).toBe(1)
      expect(transfers.filter((t) => chartChunks.some((name) => t.url.endsWith(name)))).toEqual([])
      expect(total).toBeLessThan(firstVisitBudget)
    },
  )
})
