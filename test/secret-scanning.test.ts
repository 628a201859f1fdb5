import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { acceptLeakReports } from '../src/core/exposures.ts'
import { createKeyFormat } from '../src/core/key-format.ts'
import { appDeps, composeKeyward, type Keyward } from '../src/main.ts'
import { openDatabase } from '../src/storage/database.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { partnerKeyFetcher } from '../src/transport/partner-keys.ts'
import { postgresUrl, type TestDatabase, testDatabases } from './support/databases.ts'
import { keyListServer, reportHeaders, type SigningKey, signingKey } from './support/github-keys.ts'
import { type TestClock, teamWithProject, testClock } from './support/keyward.ts'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const path = '/api/secret-scanning/github'
const leakUrl = 'https://github.com/octo/app/blob/abc123/.env'

const github = signingKey()
let keyList: Awaited<ReturnType<typeof keyListServer>>
beforeAll(async () => {
  keyList = await keyListServer([github])
})
afterAll(() => keyList.close())

const env = () => ({
  KEYWARD_SECRET_SCANNING_KEYS_URL: keyList.url,
  KEYWARD_ALLOW_HTTP_WEBHOOKS: '1',
  LOG_LEVEL: 'silent',
})

interface Node {
  keyward: Keyward
  app: FastifyInstance
  clock: TestClock
}

/** The leak response comes from the account's key policy (revoke unless an Owner chose notify). */
async function startNode(
  database: TestDatabase,
  given: { env?: Record<string, string>; open?: () => ReturnType<TestDatabase['open']> } = {},
): Promise<Node> {
  const clock = testClock(Date.now())
  const keyward = await composeKeyward(loadConfig({ ...env(), ...given.env }), {
    database: await (given.open ?? database.open)(),
    clock,
  })
  const app = await buildApp(appDeps(keyward))
  return { keyward, app, clock }
}

const stop = async (node: Node) => {
  await node.app.close()
  await node.keyward.close()
}

function report(node: Node, tokens: unknown, key: SigningKey = github, rawBody?: string) {
  const body = rawBody ?? JSON.stringify(tokens)
  return node.app.inject({ method: 'POST', url: path, headers: reportHeaders(key, body), payload: body })
}

const leak = (token: string) => ({ token, type: 'keyward_api_key', url: leakUrl, source: 'content' })

async function liveKey(node: Node) {
  const { project, owner, account } = await teamWithProject(node.keyward)
  const created = await node.keyward.services.keys.create(owner, { projectId: project.id, name: 'CI' })
  return { ...created, owner, account }
}

const exposureRows = (node: Node) =>
  node.keyward.database.db
    .selectFrom('key_exposures')
    .selectAll()
    .execute()
    .then((rows) => rows.length)

describe.each(testDatabases)('GitHub secret scanning partner endpoint on $name', (database) => {
  let node: Node
  afterEach(async () => {
    if (node) await stop(node)
  })

  it('answers a signed report at once and revokes the leaked key with reason exposed', async () => {
    node = await startNode(database)
    const key = await liveKey(node)
    expect((await node.keyward.verifier.verify(key.key)).ok).toBe(true)

    const response = await report(node, [leak(key.key)])
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.json()).toEqual([
      { token_hash: sha256(key.key), token_type: 'keyward_api_key', label: 'true_positive' },
    ])
    expect(await exposureRows(node)).toBe(1) // durable before the answer left

    // Acted on right after the answer, with no poll running: the reply itself wakes the worker.
    await expect
      .poll(async () => (await node.keyward.storage.keys.findById(key.id))?.revokedAt ?? null, {
        timeout: 30_000,
      })
      .not.toBeNull()
    const stored = await node.keyward.storage.keys.findById(key.id)
    expect(stored).toMatchObject({ exposedUrl: leakUrl, revokedBy: null })
    expect(stored?.revokedAt).toBeTypeOf('number')
    expect(stored?.exposedAt).toBeTypeOf('number')
    const listed = await node.keyward.services.keys.list(key.owner, { accountId: key.account.id })
    expect(listed.find((k) => k.id === key.id)?.status).toBe('exposed')
    expect(await node.keyward.verifier.verify(key.key)).toMatchObject({ ok: false, reason: 'exposed' })

    const events = await node.keyward.storage.events.listByAccount(key.account.id, 20)
    const byAction = (action: string) => events.filter((e) => e.action === action)
    expect(byAction('key.exposed')).toEqual([
      expect.objectContaining({
        actor: { kind: 'system', name: 'github-secret-scanning' },
        targetId: key.id,
        details: { url: leakUrl, source: 'content', response: 'revoke' },
      }),
    ])
    expect(byAction('key.revoked')).toEqual([
      expect.objectContaining({
        actor: { kind: 'system', name: 'github-secret-scanning' },
        details: { reason: 'exposed' },
      }),
    ])
    // A request with it gets the generic 401; Agent Activity says why.
    const refused = await node.app.inject({
      method: 'GET',
      url: `/api/v2/projects/${key.projectId}/webhooks`,
      headers: { authorization: `Bearer ${key.key}` },
    })
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toEqual({
      error: 'unauthorized',
      message: 'Invalid or missing API key',
      status: 401,
    })
    await node.keyward.activity.flush()
    const [activity] = await node.keyward.storage.activity.listByAccount(key.account.id, { limit: 5 })
    expect(activity).toMatchObject({ keyId: key.id, status: 401, reason: 'exposed' })

    // The dashboard's drawer: status, where it was found, and who acted, by name.
    const drawer = await node.keyward.queries.keyDetails(key.owner, { keyId: key.id })
    expect(drawer.key).toMatchObject({ status: 'exposed', exposedUrl: leakUrl })
    expect(drawer.history.find((e) => e.action === 'key.exposed')?.actor).toEqual({
      kind: 'system',
      id: 'github-secret-scanning',
      label: 'GitHub secret scanning',
    })
    const [row] = await node.keyward.storage.exposures.listByKey(key.id)
    expect(row).toMatchObject({ reporter: 'github-secret-scanning', response: 'revoke', attempts: 1 })
    expect(row?.processedAt).toBeTypeOf('number')
  })

  it("with the account policy's notify response flags the key as exposed and leaves it working", async () => {
    node = await startNode(database)
    const key = await liveKey(node)
    await node.keyward.services.keyPolicy.update(key.owner, {
      accountId: key.account.id,
      change: { leakResponse: 'notify' },
    })
    expect((await report(node, [leak(key.key)])).json()[0].label).toBe('true_positive')
    await node.keyward.exposures.drain()

    const stored = await node.keyward.storage.keys.findById(key.id)
    expect(stored).toMatchObject({ revokedAt: null, exposedUrl: leakUrl })
    expect(await node.keyward.verifier.verify(key.key)).toMatchObject({ ok: true })
    const listed = await node.keyward.services.keys.list(key.owner, { accountId: key.account.id })
    expect(listed.find((k) => k.id === key.id)?.status).toBe('exposed')
    const actions = (await node.keyward.storage.events.listByAccount(key.account.id, 20)).map((e) => e.action)
    expect(actions).toContain('key.exposed')
    expect(actions).not.toContain('key.revoked')
    const exposed = (await node.keyward.storage.events.listByAccount(key.account.id, 20)).find(
      (e) => e.action === 'key.exposed',
    )
    expect(exposed?.details).toEqual({ url: leakUrl, source: 'content', response: 'notify' })
  })

  it('labels unknown tokens, other installations, bad checksums and revoked keys false_positive', async () => {
    node = await startNode(database)
    const key = await liveKey(node)
    const revoked = await liveKey(node)
    await node.keyward.services.keys.revoke(revoked.owner, { keyId: revoked.id })
    const unknown = createKeyFormat().generate() // this format, checksum holds, no such key
    const otherInstallation = createKeyFormat('acme_live_').generate()
    const badChecksum = `${key.key.slice(0, -1)}${key.key.endsWith('0') ? '1' : '0'}`
    const tokens = [unknown, otherInstallation, badChecksum, revoked.key, 'not a key at all']

    const response = await report(node, tokens.map(leak))
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual(
      tokens.map((t) => ({ token_hash: sha256(t), token_type: 'keyward_api_key', label: 'false_positive' })),
    )
    expect(await exposureRows(node)).toBe(0)
    expect(await node.keyward.verifier.verify(key.key)).toMatchObject({ ok: true })
  })

  it("takes a rolled key's previous secret as live during its grace, and not after it", async () => {
    node = await startNode(database)
    const key = await liveKey(node)
    const later = await liveKey(node)
    const hour = 3_600_000
    await node.keyward.services.keys.rotate(key.owner, { keyId: key.id, grace: '1h' })
    await node.keyward.services.keys.rotate(later.owner, { keyId: later.id, grace: '1h' })

    // The leaked previous secret of `key` is still accepted, so the report revokes the key (both secrets).
    expect((await report(node, [leak(key.key)])).json()[0].label).toBe('true_positive')
    await node.keyward.exposures.drain()
    expect(await node.keyward.storage.keys.findById(key.id)).toMatchObject({ exposedUrl: leakUrl })
    expect((await node.keyward.storage.keys.findById(key.id))?.revokedAt).toBeTypeOf('number')

    // Once the grace of `later` has ended, its previous secret opens nothing: a false positive, nothing changed.
    node.clock.advance(hour)
    expect((await report(node, [leak(later.key)])).json()[0].label).toBe('false_positive')
    expect(await node.keyward.storage.keys.findById(later.id)).toMatchObject({
      revokedAt: null,
      exposedAt: null,
    })
  })

  it('refuses a bad signature, an unknown key id and a tampered body with 401, changing nothing', async () => {
    node = await startNode(database)
    const key = await liveKey(node)
    const body = JSON.stringify([leak(key.key)])
    const impostor = signingKey()
    const send = (headers: Record<string, string>, payload = body) =>
      node.app.inject({ method: 'POST', url: path, headers, payload })

    const forged = { ...reportHeaders(impostor, body), 'github-public-key-identifier': github.identifier }
    const cases = [
      await send(forged), // signed by another key under GitHub's id
      await send(reportHeaders(impostor, body)), // an id GitHub does not list
      await send(reportHeaders(github, body), body.replace('content', 'commit')), // body changed after signing
      await send({ 'content-type': 'application/json' }), // no headers at all
      await send({ ...reportHeaders(github, body), 'github-public-key-signature': 'bm90IGEgc2lnbmF0dXJl' }),
    ]
    for (const response of cases) {
      expect(response.statusCode).toBe(401)
      expect(response.json()).toMatchObject({ error: 'unauthorized', status: 401 })
    }
    expect(await exposureRows(node)).toBe(0)
    expect(await node.keyward.storage.keys.findById(key.id)).toMatchObject({
      revokedAt: null,
      exposedAt: null,
    })
  })

  it('refuses a body over 1 MB or with more than 1,000 tokens with 401', async () => {
    node = await startNode(database)
    const key = await liveKey(node)
    const many = Array.from({ length: 1001 }, (_, i) =>
      leak(i === 0 ? key.key : createKeyFormat().generate()),
    )
    const tooMany = await report(node, many)
    expect(tooMany.statusCode).toBe(401)

    const padding = 'x'.repeat(1024 * 1024)
    const tooLarge = await report(node, [{ ...leak(key.key), url: `${leakUrl}#${padding}` }])
    expect(tooLarge.statusCode).toBe(401)
    expect(tooLarge.json()).toMatchObject({ error: 'unauthorized' })

    const exactlyThousand = await report(node, many.slice(1))
    expect(exactlyThousand.statusCode).toBe(200)
    expect(await exposureRows(node)).toBe(0)
    expect(await node.keyward.storage.keys.findById(key.id)).toMatchObject({
      revokedAt: null,
      exposedAt: null,
    })
  })

  it('fetches the key list again when GitHub rotates its key, at most every 10 s on unknown ids', async () => {
    node = await startNode(database)
    const key = await liveKey(node)
    expect((await report(node, [leak(createKeyFormat().generate())])).statusCode).toBe(200)
    const fetchesBefore = keyList.fetches()
    const rotated = signingKey()
    keyList.publish([rotated, github])
    try {
      // Within 10 s of the last fetch an unknown id is refused without asking GitHub again.
      expect((await report(node, [leak(key.key)], rotated)).statusCode).toBe(401)
      expect(keyList.fetches()).toBe(fetchesBefore)
      node.clock.advance(10_000)
      const response = await report(node, [leak(key.key)], rotated)
      expect(response.statusCode).toBe(200)
      expect(response.json()[0].label).toBe('true_positive')
      expect(keyList.fetches()).toBe(fetchesBefore + 1)
      // Known ids are served from the cache for 5 minutes, then the list is fetched again.
      await report(node, [], github)
      expect(keyList.fetches()).toBe(fetchesBefore + 1)
      node.clock.advance(5 * 60_000)
      expect((await report(node, [], github)).statusCode).toBe(200)
      expect(keyList.fetches()).toBe(fetchesBefore + 2)
    } finally {
      keyList.publish([github])
    }
  })

  it('fetches the key list through the guarded agent: a private address is refused, and so is the report', async () => {
    expect(() => loadConfig({ KEYWARD_SECRET_SCANNING_KEYS_URL: keyList.url })).toThrow(
      /KEYWARD_SECRET_SCANNING_KEYS_URL must be an https URL/,
    )
    const privateList = 'https://127.0.0.1:8443/meta/public_keys/secret_scanning'
    const refusal = await partnerKeyFetcher(privateList, { allowPrivate: false })().catch((error) => error)
    expect(refusal.cause).toMatchObject({ code: 'ERR_ADDRESS_NOT_ALLOWED' })
    // https to loopback without KEYWARD_ALLOW_HTTP_WEBHOOKS=1: the agent refuses to connect, so no key is known.
    node = await startNode(database, {
      env: {
        KEYWARD_SECRET_SCANNING_KEYS_URL: 'https://127.0.0.1:8443/meta/public_keys/secret_scanning',
        KEYWARD_ALLOW_HTTP_WEBHOOKS: '',
      },
    })
    const key = await liveKey(node)
    const response = await report(node, [leak(key.key)])
    expect(response.statusCode).toBe(500)
    expect(response.json()).toEqual({
      error: 'internal_error',
      message: 'An unexpected error occurred',
      status: 500,
    })
    expect(await exposureRows(node)).toBe(0)
    expect(await node.keyward.storage.keys.findById(key.id)).toMatchObject({
      revokedAt: null,
      exposedAt: null,
    })
  })

  it('acts on a report a crashed node left behind, once its lease lapses', async () => {
    node = await startNode(database)
    const key = await liveKey(node)
    // Acknowledged and queued, then the node died before acting: nothing ran the worker.
    await acceptLeakReports(node.keyward.exposureDeps, 'github-secret-scanning', [leak(key.key)])
    const [queued] = await node.keyward.storage.exposures.listByKey(key.id)
    if (!queued) throw new Error('not queued')
    // …or it died after claiming the row: another worker must wait out the lease.
    const lease = node.clock() + 20_000
    expect(await node.keyward.storage.exposures.claim(queued.id, 0, lease)).toBe(true)
    expect(await node.keyward.exposures.drain()).toBe(0)
    expect(await node.keyward.storage.keys.findById(key.id)).toMatchObject({ revokedAt: null })
    node.clock.advance(20_000)
    expect(await node.keyward.exposures.drain()).toBe(1)
    expect(await node.keyward.verifier.verify(key.key)).toMatchObject({ ok: false, reason: 'exposed' })
    const [done] = await node.keyward.storage.exposures.listByKey(key.id)
    expect(done).toMatchObject({ attempts: 2, response: 'revoke' })
  })
})

describe.skipIf(!postgresUrl)('two nodes on one Postgres', () => {
  const schema = `kw_test_${randomBytes(6).toString('hex')}`
  const open = async () => openDatabase(postgresUrl as string, { schema })
  let nodes: Node[] = []

  beforeAll(async () => {
    const admin = openDatabase(postgresUrl as string)
    await sql`create schema ${sql.id(schema)}`.execute(admin.db)
    await admin.close()
  })
  afterAll(async () => {
    for (const node of nodes) await stop(node)
    const admin = openDatabase(postgresUrl as string)
    await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db)
    await admin.close()
  })

  it('a report received by one node revokes the key on the other', async () => {
    const given = { env: { DATABASE_URL: postgresUrl as string }, open }
    const [postgres] = testDatabases.filter((d) => d.name === 'postgres')
    if (!postgres) throw new Error('no Postgres')
    nodes = [await startNode(postgres, given)]
    nodes.push(await startNode(postgres, given))
    const [a, b] = nodes as [Node, Node]
    for (const node of nodes) await node.keyward.keyChanges?.start()
    const key = await liveKey(a)
    expect((await b.keyward.verifier.verify(key.key)).ok).toBe(true) // now cached on b

    const response = await report(a, [leak(key.key)])
    expect(response.json()[0].label).toBe('true_positive')
    // Whichever node's worker takes the report, both refuse the key once it is done.
    await Promise.all(nodes.map((n) => n.keyward.exposures.drain()))
    await expect
      .poll(async () => (await b.keyward.verifier.verify(key.key)).ok, { timeout: 5_000 })
      .toBe(false)
    expect(await a.keyward.verifier.verify(key.key)).toMatchObject({ ok: false, reason: 'exposed' })
    expect(await b.keyward.verifier.verify(key.key)).toMatchObject({ ok: false, reason: 'exposed' })
    const exposed = await a.keyward.database.db
      .selectFrom('management_events')
      .select('action')
      .where('target_id', '=', key.id)
      .where('action', 'in', ['key.exposed', 'key.revoked'])
      .execute()
    expect(exposed.map((e) => e.action).sort()).toEqual(['key.exposed', 'key.revoked'])
  })
})
