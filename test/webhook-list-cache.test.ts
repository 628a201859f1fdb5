import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { createWebhook, deleteWebhook, listWebhooks, rotateWebhookSecret } from '../src/core/webhooks.ts'
import { appDeps, composeKeyward, type Keyward } from '../src/main.ts'
import { openDatabase } from '../src/storage/database.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { postgresUrl } from './support/databases.ts'
import { type TestClock, testClock, testKeyward } from './support/keyward.ts'

/** Resolves when `node` learns (from another node) that the project's webhooks changed. */
function nextInvalidation(node: Keyward, projectId: string): Promise<void> {
  const cache = node.webhookDeps.webhookLists
  if (!cache) throw new Error('the node has no webhook list cache')
  return new Promise((resolve) => {
    const original = cache.invalidate
    cache.invalidate = (changed: string) => {
      original.call(cache, changed)
      if (changed !== projectId) return
      cache.invalidate = original
      resolve()
    }
  })
}

async function projectOf(node: Keyward) {
  const account = await node.services.accounts.create(operator, { name: 'Hooks', plan: 'plus' })
  return node.services.projects.create(operator, { accountId: account.id, name: 'P' })
}

const list = async (node: Keyward, projectId: string) =>
  (await listWebhooks(node.webhookDeps, operator, { projectId })).map((w) => ({
    id: w.id,
    updatedAt: w.updatedAt,
  }))

describe('the public webhook list, cached per project', () => {
  it('answers every change made through the API at once (the node that changed it drops its cache)', async () => {
    const clock = testClock()
    const keyward = await testKeyward({ clock })
    const app = await buildApp({ ...appDeps(keyward), logLevel: 'silent' })
    try {
      const project = await projectOf(keyward)
      const { key } = await keyward.services.keys.create(operator, { projectId: project.id, name: 'k' })
      const call = (method: string, path = '', payload?: object) =>
        app.inject({
          method: method as 'GET',
          url: `/api/v2/projects/${project.id}/webhooks${path}`,
          headers: { authorization: `Bearer ${key}` },
          ...(payload ? { payload } : {}),
        })
      const listed = async () =>
        (await call('GET')).json().data.webhooks as { id: string; updatedAt: string }[]
      expect(await listed()).toEqual([])
      const created = await call('POST', '', {
        url: 'https://hooks.example.com/a',
        events: ['action.created'],
      })
      expect(created.statusCode).toBe(201)
      const id = created.json().data.id as string
      expect((await listed()).map((w) => w.id)).toEqual([id])
      clock.advance(60_000)
      const rotated = await call('POST', `/${id}/rotate-secret`)
      expect(rotated.statusCode).toBe(200)
      expect(rotated.json().data.updatedAt).not.toBe(created.json().data.updatedAt)
      expect((await listed())[0]?.updatedAt).toBe(rotated.json().data.updatedAt)
      expect((await call('DELETE', `/${id}`)).statusCode).toBe(200)
      expect(await listed()).toEqual([])
    } finally {
      await app.close()
      await keyward.close()
    }
  })

  it('sees changes that another process committed to the same SQLite file, from the next millisecond on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-webhook-cache-'))
    const config = loadConfig({ DATABASE_URL: join(dir, 'k.db'), LOG_LEVEL: 'warn' })
    const nodeA = await composeKeyward(config, { clock: testClock() })
    const nodeB = await composeKeyward(config)
    // The file's other connections are asked at most once per millisecond (as for key changes).
    const nextMillisecond = async () => {
      const now = Date.now()
      while (Date.now() === now) await new Promise<void>((resolve) => setImmediate(resolve))
    }
    try {
      const project = await projectOf(nodeA)
      expect(await list(nodeB, project.id)).toEqual([]) // now cached on B
      const created = await createWebhook(nodeA.webhookDeps, operator, {
        projectId: project.id,
        url: 'https://hooks.example.com/b',
        events: ['visibility.changed'],
      })
      await nextMillisecond()
      expect(await list(nodeB, project.id)).toEqual([{ id: created.id, updatedAt: created.updatedAt }])
      await deleteWebhook(nodeA.webhookDeps, operator, { projectId: project.id, webhookId: created.id })
      await nextMillisecond()
      expect(await list(nodeB, project.id)).toEqual([])
    } finally {
      await nodeA.close()
      await nodeB.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe.skipIf(!postgresUrl)('the webhook list cache on two Postgres nodes', () => {
  const schema = `kw_test_${randomBytes(6).toString('hex')}`
  let nodeA: Keyward
  let nodeB: Keyward
  let clockA: TestClock

  beforeAll(async () => {
    const admin = openDatabase(postgresUrl as string)
    await sql`create schema ${sql.id(schema)}`.execute(admin.db)
    await admin.close()
    const config = loadConfig({ DATABASE_URL: postgresUrl as string, LOG_LEVEL: 'warn' })
    clockA = testClock()
    nodeA = await composeKeyward(config, {
      database: openDatabase(postgresUrl as string, { schema }),
      clock: clockA,
    })
    nodeB = await composeKeyward(config, { database: openDatabase(postgresUrl as string, { schema }) })
    await Promise.all([nodeA.keyChanges?.start(), nodeB.keyChanges?.start()])
    expect(nodeB.keyChanges?.isListening).toBe(true)
  }, 30_000)

  afterAll(async () => {
    await nodeA?.close()
    await nodeB?.close()
    const admin = openDatabase(postgresUrl as string)
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db)
    await admin.close()
  })

  it("reflects node A's creation, secret rotation and deletion on node B, once B is notified", async () => {
    const project = await projectOf(nodeA)
    expect(await list(nodeB, project.id)).toEqual([]) // cached on B from here on

    let notified = nextInvalidation(nodeB, project.id)
    const created = await createWebhook(nodeA.webhookDeps, operator, {
      projectId: project.id,
      url: 'https://hooks.example.com/c',
      events: ['action.updated'],
    })
    await notified
    expect(await list(nodeB, project.id)).toEqual([{ id: created.id, updatedAt: created.updatedAt }])

    clockA.advance(60_000)
    notified = nextInvalidation(nodeB, project.id)
    const rotated = await rotateWebhookSecret(nodeA.webhookDeps, operator, {
      projectId: project.id,
      webhookId: created.id,
    })
    await notified
    expect(rotated.updatedAt).toBe(created.updatedAt + 60_000)
    expect(await list(nodeB, project.id)).toEqual([{ id: created.id, updatedAt: rotated.updatedAt }])

    notified = nextInvalidation(nodeB, project.id)
    await deleteWebhook(nodeA.webhookDeps, operator, { projectId: project.id, webhookId: created.id })
    await notified
    expect(await list(nodeB, project.id)).toEqual([])
  })

  it('reads from the database while its listener is down (nothing cached can be trusted then)', async () => {
    const project = await projectOf(nodeA)
    await nodeB.keyChanges?.stop()
    expect(nodeB.keyChanges?.isListening).toBe(false)
    expect(await list(nodeB, project.id)).toEqual([])
    // A change B cannot hear of: B still answers it on its next list.
    const created = await createWebhook(nodeA.webhookDeps, operator, {
      projectId: project.id,
      url: 'https://hooks.example.com/d',
      events: ['action.updated'],
    })
    expect(await list(nodeB, project.id)).toEqual([{ id: created.id, updatedAt: created.updatedAt }])
  })
})
