import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { composeKeyward, type Keyward, servedAppDeps } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { sqliteDatabase } from './support/databases.ts'

const page = '<!doctype html><title>Keyward</title><div id="root" data-spa-marker></div>'

/**
 * Which browser paths the dashboard's page answers, on the app `keyward serve` builds (whatever else it mounts,
 * the authorization server under /oauth/ included): the consent page is a client-side route of the SPA, so a
 * browser sent to /oauth/consent/<uid> must get the page, while programs' paths keep their JSON answers.
 * A stand-in build (index.html and an empty assets folder) is enough: what is served, not what it draws.
 */
describe('the SPA fallback', () => {
  let keyward: Keyward
  let app: FastifyInstance
  let webDist: string

  beforeAll(async () => {
    webDist = await mkdtemp(join(tmpdir(), 'keyward-spa-'))
    await mkdir(join(webDist, 'assets'))
    await writeFile(join(webDist, 'index.html'), page)
    keyward = await composeKeyward(loadConfig({}), { database: await sqliteDatabase.open() })
    app = await buildApp({ ...(await servedAppDeps(keyward)), logLevel: 'silent', webDist })
  })

  afterAll(async () => {
    await app?.close()
    await keyward?.close()
    if (webDist) await rm(webDist, { recursive: true, force: true })
  })

  it.each([
    '/oauth/consent/Xy12-abc_DEF',
    '/oauth/consent/Xy12-abc_DEF?from=sign-in',
    '/sign-in?next=%2Foauth%2Fconsent%2FXy12',
  ])('GET %s answers the page, revalidated', async (url) => {
    const response = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    expect(response.headers['cache-control']).toBe('no-cache')
    expect(response.body).toContain('data-spa-marker')
  })

  it('answers HEAD on the consent route like GET, without a body', async () => {
    const response = await app.inject({ method: 'HEAD', url: '/oauth/consent/abc' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    expect(response.body).toBe('')
  })

  it('never answers the page to a program: a POST there, the dashboard API and discovery stay JSON', async () => {
    for (const [method, url] of [
      ['POST', '/oauth/consent/abc'],
      ['GET', '/api/dashboard/oauth/nowhere'],
      ['GET', '/.well-known/nowhere'],
    ] as const) {
      const response = await app.inject({ method, url })
      expect(response.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400)
      expect(response.headers['content-type'], `${method} ${url}`).toMatch(/^application\/json/)
      expect(response.body).not.toContain('data-spa-marker')
    }
  })
})
