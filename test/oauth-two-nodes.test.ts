import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { composeKeyward, type Keyward, servedAppDeps } from '../src/main.ts'
import { migrateToLatest, openDatabase } from '../src/storage/database.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { postgresUrl } from './support/databases.ts'
import { teamWithProject } from './support/keyward.ts'
import {
  authorizationUrl,
  CookieJar,
  consentTo,
  followToClient,
  pkcePair,
  redirectUri,
  registerClient,
  signInBrowser,
  startAuthorization,
  tokenRequest,
} from './support/oauth-flow.ts'
import { freePort } from './support/served.ts'

/**
 * Two nodes behind one public URL share the authorization server's state through Postgres: its storage, its signing
 * keys and its cookie keys (derived from the shared server secret). Each step of one flow lands on either node.
 */
describe.skipIf(!postgresUrl)('the authorization server on two nodes sharing Postgres', () => {
  const schema = `kw_test_${randomBytes(6).toString('hex')}`
  const nodes: Array<{ keyward: Keyward; app: Awaited<ReturnType<typeof buildApp>>; origin: string }> = []
  beforeAll(async () => {
    const admin = openDatabase(postgresUrl as string)
    await sql`create schema ${sql.id(schema)}`.execute(admin.db)
    await admin.close()
    const first = openDatabase(postgresUrl as string, { schema })
    await migrateToLatest(first.db)
    await first.close()
    const publicPort = await freePort()
    for (let n = 0; n < 2; n += 1) {
      const port = n === 0 ? publicPort : await freePort()
      const config = loadConfig({ KEYWARD_PUBLIC_URL: `http://127.0.0.1:${publicPort}` })
      const keyward = await composeKeyward(config, {
        database: openDatabase(postgresUrl as string, { schema }),
      })
      const app = await buildApp({ ...(await servedAppDeps(keyward)), logLevel: 'silent' })
      await app.listen({ port, host: '127.0.0.1' })
      nodes.push({ keyward, app, origin: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` })
    }
  })
  afterAll(async () => {
    for (const node of nodes) {
      await node.app.close()
      await node.keyward.close()
    }
    const admin = openDatabase(postgresUrl as string)
    await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db)
    await admin.close()
  })

  it('registers, authorizes, consents, exchanges and refreshes across nodes', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]]
    const onB = (url: string) => url.replace(a.origin, b.origin)
    const team = await teamWithProject(a.keyward)
    const email = (await a.keyward.users.findById(team.owner.userId))?.email ?? ''

    const client = await registerClient(b.origin)
    const { verifier, challenge } = pkcePair()
    const jar = new CookieJar()
    const uid = await startAuthorization(jar, authorizationUrl(a.origin, client.client_id, challenge))
    const csrf = await signInBrowser(b.origin, jar, email)
    const consent = await consentTo(b.origin, jar, csrf, uid, {
      projectId: team.project.id,
      scopes: ['visibility.read'],
    })
    expect(consent.status).toBe(200)
    // The resume cookie node A signed is accepted by node B.
    const callback = await followToClient(jar, onB((await consent.json()).redirectTo))
    expect(callback.searchParams.get('iss')).toBe(a.origin)

    const token = await tokenRequest(a.origin, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      client_id: client.client_id,
      code_verifier: verifier,
    })
    expect(token.status).toBe(200)
    const refresh = (origin: string, refreshToken: unknown) =>
      tokenRequest(origin, {
        grant_type: 'refresh_token',
        refresh_token: String(refreshToken),
        client_id: client.client_id,
      })
    const rotated = await refresh(b.origin, token.body.refresh_token)
    expect(rotated.status).toBe(200)
    expect((await refresh(a.origin, token.body.refresh_token)).body.error).toBe('invalid_grant')
    expect((await refresh(b.origin, rotated.body.refresh_token)).body.error).toBe('invalid_grant')
  })
})
