import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importTrackingResults } from '../src/core/analytics/import.ts'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { hmacHex, startReceiver } from './support/receiver.ts'
import { restClient, sleep, webhookWorld } from './support/webhooks.ts'

let world: ReturnType<typeof webhookWorld>
beforeEach(() => {
  world = webhookWorld()
})
afterEach(() => world.cleanUp())

async function insertAction(keyward: Keyward, projectId: string) {
  const id = randomUUID()
  const now = keyward.clock()
  await keyward.storage.actions.insert({
    id,
    projectId,
    title: 'Rewrite pricing',
    type: 'content_update',
    status: 'backlog',
    priority: 'high',
    targetUrl: 'https://brand.example/pricing',
    createdAt: now,
    updatedAt: now,
    completedAt: null,
  })
  return id
}

/** Polls until `done`; the deadline is a backstop for a busy machine, after which the caller's assertion fails. */
async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (done(value) || Date.now() > deadline) return value
    await sleep(10)
  }
}

describe('actions and briefs over REST', () => {
  it('moves a brief from queued to ready, with one job for concurrent POSTs', async () => {
    const keyward = await world.compose(world.newDatabaseFile())
    const client = await restClient(keyward)
    world.defer(() => client.app.close())
    const actionId = await insertAction(keyward, client.project.id)
    expect((await client.call('GET', `/actions/${actionId}/brief`)).body.data).toMatchObject({
      status: 'none',
      hasBrief: false,
      markdown: null,
    })
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map(() => client.call('POST', `/actions/${actionId}/brief`, {})),
    )
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200])
    const statuses = answers.map((a) => a.body.data.status).sort()
    expect(statuses.filter((s) => s === 'queued')).toHaveLength(1)
    const ready = await until(
      () => client.call('GET', `/actions/${actionId}/brief`),
      (r) => r.body.data.status === 'ready',
    )
    expect(ready.body.data.markdown).toContain('# Brief: Rewrite pricing')
    expect(ready.body.data.markdown).toContain('https://brand.example/pricing')
    expect((await keyward.storage.briefs.find(actionId))?.attempts).toBe(1)
    expect((await client.call('POST', `/actions/${actionId}/brief`, {})).body.data.status).toBe('ready')
    expect((await client.call('GET', `/actions/${randomUUID()}/brief`)).status).toBe(404)
  })

  it('resumes a brief whose job died with its process, once the lease has run out', async () => {
    const file = world.newDatabaseFile()
    const first = await world.compose(file)
    const client = await restClient(first)
    const actionId = await insertAction(first, client.project.id)
    // What a crash mid-job leaves: the brief claimed (generating, with a lease) and never completed.
    await first.storage.briefs.enqueue({ actionId, projectId: client.project.id, at: Date.now() })
    expect(await first.storage.briefs.claim(actionId, Date.now(), Date.now() + 60_000)).toBe(true)
    await client.app.close()
    await first.close()

    const later = Date.now() + 61_000
    const { composeKeyward } = await import('../src/main.ts')
    const { loadConfig } = await import('../src/config.ts')
    const second = await composeKeyward(loadConfig({ DATABASE_URL: file, LOG_LEVEL: 'silent' }), {
      clock: () => later,
    })
    world.defer(() => second.close())
    const { buildApp } = await import('../src/transport/http/app.ts')
    const { appDeps } = await import('../src/main.ts')
    const app = await buildApp(appDeps(second))
    world.defer(() => app.close())
    const { key } = await second.services.keys.create(operator, { projectId: client.project.id, name: 'k' })
    const get = async () =>
      (
        await app.inject({
          method: 'GET',
          url: `/api/v2/projects/${client.project.id}/actions/${actionId}/brief`,
          headers: { authorization: `Bearer ${key}` },
        })
      ).json()
    expect((await get()).data.status).toBe('generating')
    const done = await until(get, (b) => b.data.status === 'ready')
    expect(done.data.hasBrief).toBe(true)
    expect((await second.storage.briefs.find(actionId))?.attempts).toBe(2)
  })

  it('records an intervention when an action is marked done and fires action.updated', async () => {
    const hooks = await startReceiver()
    world.defer(hooks.close)
    const keyward = await world.compose(world.newDatabaseFile())
    const client = await restClient(keyward)
    world.defer(() => client.app.close())
    const hook = await client.call('POST', '/webhooks', { url: hooks.url, events: ['action.updated'] })
    const actionId = await insertAction(keyward, client.project.id)
    const patched = await client.call('PATCH' as 'POST', `/actions/${actionId}`, { status: 'done' })
    expect(patched.status).toBe(200)
    expect(patched.body.data).toMatchObject({ status: 'done', completedAt: expect.any(String) })
    const detail = (await client.call('GET', `/actions/${actionId}`)).body.data
    expect(detail.intervention).toMatchObject({
      targetUrl: 'https://brand.example/pricing',
      baselineCitations: 0,
    })
    expect((await client.call('GET', '/actions?status=done')).body.data.actions).toHaveLength(1)
    expect((await client.call('GET', '/actions?status=nope')).status).toBe(400)
    await keyward.webhookDispatcher.runDue()
    const [sent] = await hooks.waitFor(1)
    expect(sent?.headers['x-devtune-signature']).toBe(hmacHex(hook.body.data.secret, sent?.body ?? ''))
    expect(JSON.parse(sent?.body ?? '{}')).toMatchObject({
      event: 'action.updated',
      data: { previousStatus: 'backlog' },
    })
  })
})

describe('import', () => {
  it('fires signed search-tracking.completed and visibility.changed; a broken file changes nothing', async () => {
    const hooks = await startReceiver()
    world.defer(hooks.close)
    const keyward = await world.compose(world.newDatabaseFile())
    const client = await restClient(keyward)
    world.defer(() => client.app.close())
    const hook = await client.call('POST', '/webhooks', {
      url: hooks.url,
      events: ['search-tracking.completed', 'visibility.changed'],
    })
    const today = new Date().toISOString().slice(0, 10)
    const good = {
      results: [
        {
          date: today,
          platform: 'chatgpt',
          topic: 'T',
          prompt: 'p',
          brandMentioned: true,
          position: 1,
          competitors: ['X'],
        },
      ],
    }
    const broken = {
      results: [
        ...good.results,
        { ...good.results[0], citations: [{ url: 'not a url', classification: 'primary' }] },
      ],
    }
    const projectId = client.project.id
    await expect(importTrackingResults(keyward, operator, { projectId, file: broken })).rejects.toThrow(
      'results[1].citations[0].url: Invalid URL',
    )
    expect(await keyward.storage.tracking.countResults(projectId)).toBe(0)
    expect(await keyward.storage.tracking.listTopics(projectId)).toEqual([])

    await importTrackingResults(keyward, operator, { projectId, file: good })
    await keyward.webhookDispatcher.runDue()
    const received = await hooks.waitFor(2)
    const bodies = received.map((r) => {
      expect(r.headers['x-devtune-signature']).toBe(hmacHex(hook.body.data.secret, r.body))
      return JSON.parse(r.body)
    })
    expect(bodies.map((b) => b.event).sort()).toEqual(['search-tracking.completed', 'visibility.changed'])
    const changed = bodies.find((b) => b.event === 'visibility.changed')
    // The project's first run: nothing to compare with (DevTune's `previousMetrics: null`). After it: one run,
    // mentioned, one competitor: 1 / (1 + 1).
    expect(changed.data.previousMetrics).toBeNull()
    expect(changed.data).not.toHaveProperty('previous')
    expect(changed.data.current).toMatchObject({ totalRuns: 1, shareOfVoice: 0.5, presenceRate: 1 })
    expect((await client.call('GET', '/visibility/summary')).body.data).toMatchObject({ totalRuns: 1 })

    // The next run compares with the metrics before it.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const next = {
      results: [{ ...good.results[0], date: yesterday, brandMentioned: false, competitors: [] }],
    }
    await importTrackingResults(keyward, operator, { projectId, file: next })
    await keyward.webhookDispatcher.runDue()
    const second = (await hooks.waitFor(4)).slice(2).map((r) => JSON.parse(r.body))
    const changedAgain = second.find((b) => b.event === 'visibility.changed')
    expect(changedAgain.data.previousMetrics).toMatchObject({ totalRuns: 1, shareOfVoice: 0.5 })
    expect(changedAgain.data.current).toMatchObject({ totalRuns: 2, presenceRate: 0.5 })
  })
})
