import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runLifecycleOnce, sendDueExpiryNotices } from '../src/core/key-lifecycle.ts'
import type { Keyward } from '../src/main.ts'
import { testDatabases } from './support/databases.ts'
import { teamWithProject, testClock } from './support/keyward.ts'
import { keyEventReceiver, sharedDatabase } from './support/notifications.ts'
import { readMail, startSmtpServer } from './support/smtp.ts'

const hour = 3_600_000
const day = 24 * hour

const expiryNotices = async (keyward: Keyward) =>
  (await sendDueExpiryNotices(keyward.notify)).map((n) => [n.event, n.keyName, n.daysBefore ?? null])

describe.each(testDatabases.map((d) => d.name))('the lifecycle job on %s', (kind) => {
  let world: ReturnType<typeof sharedDatabase>
  beforeEach(() => {
    world = sharedDatabase(kind)
  })
  afterEach(() => world.cleanUp())

  it('sends expiring 30, 7 and 1 days before, then expired, each once, as signed webhooks', async () => {
    const clock = testClock()
    const keyward = await world.node(clock)
    const { project, owner } = await teamWithProject(keyward)
    const { receiver } = await keyEventReceiver(world, keyward, owner, project.id)
    const start = clock()
    const key = await keyward.services.keys.create(owner, {
      projectId: project.id,
      name: 'Sixty',
      expires: '60d',
    })
    await keyward.services.keys.create(owner, { projectId: project.id, name: 'Forever' })
    await keyward.lifecycle.relay() // the two api_key.created

    expect(await expiryNotices(keyward)).toEqual([])
    clock.set(start + 30 * day - hour) // 30 days and an hour left
    expect(await expiryNotices(keyward)).toEqual([])
    clock.set(start + 30 * day + hour)
    expect(await expiryNotices(keyward)).toEqual([['api_key.expiring', 'Sixty', 30]])
    expect(await expiryNotices(keyward)).toEqual([])
    clock.set(start + 53 * day + hour)
    expect(await expiryNotices(keyward)).toEqual([['api_key.expiring', 'Sixty', 7]])
    clock.set(start + 59 * day + hour)
    expect(await expiryNotices(keyward)).toEqual([['api_key.expiring', 'Sixty', 1]])
    expect(await expiryNotices(keyward)).toEqual([])
    clock.set(start + 60 * day + hour)
    expect(await expiryNotices(keyward)).toEqual([['api_key.expired', 'Sixty', null]])
    clock.set(start + 66 * day)
    expect(await expiryNotices(keyward)).toEqual([])

    await keyward.webhookDispatcher.runDue()
    const requests = await receiver.waitFor(6)
    const lifecycle = requests
      .map((r) => JSON.parse(r.body))
      .filter((b) => b.event === 'api_key.expiring' || b.event === 'api_key.expired')
    expect(lifecycle.map((b) => [b.event, b.data.daysBefore ?? null]).sort()).toEqual([
      ['api_key.expired', null],
      ['api_key.expiring', 1],
      ['api_key.expiring', 30],
      ['api_key.expiring', 7],
    ])
    for (const body of lifecycle)
      expect(body.data).toMatchObject({
        key: { id: key.id, name: 'Sixty', expiresAt: new Date(key.expiresAt ?? 0).toISOString() },
        actor: { type: 'system', id: null },
      })
  })

  it('sends only the nearest threshold after a pause, and none a key was born within', async () => {
    const clock = testClock()
    const keyward = await world.node(clock)
    const { project, owner } = await teamWithProject(keyward)
    const start = clock()
    await keyward.services.keys.create(owner, { projectId: project.id, name: 'Sixty', expires: '60d' })
    await keyward.services.keys.create(owner, { projectId: project.id, name: 'Thirty', expires: '30d' })
    expect(await expiryNotices(keyward)).toEqual([]) // a 30-day key is not told at birth it has 30 days
    clock.set(start + 23 * day + hour)
    expect(await expiryNotices(keyward)).toEqual([['api_key.expiring', 'Thirty', 7]])
    clock.set(start + 59 * day + hour) // the job was down: Sixty crossed 30, 7 and 1
    expect(await expiryNotices(keyward)).toEqual([['api_key.expiring', 'Sixty', 1]])
    clock.set(start + 59 * day + 2 * hour)
    expect(await expiryNotices(keyward)).toEqual([])
  })

  it('is idempotent across runs, restarts and two nodes; only the lease holder scans', async () => {
    const clock = testClock()
    const nodeA = await world.node(clock)
    const { project, owner } = await teamWithProject(nodeA)
    const { receiver } = await keyEventReceiver(world, nodeA, owner, project.id)
    const start = clock()
    for (let i = 0; i < 5; i += 1)
      await nodeA.services.keys.create(owner, { projectId: project.id, name: `Key ${i}`, expires: '60d' })
    clock.set(start + 30 * day + hour)
    const nodeB = await world.node(clock)
    // Two nodes on one SQLite file in one process would wait on each other's lock in one thread: in turn there.
    const runs =
      kind === 'postgres'
        ? await Promise.all([runLifecycleOnce(nodeA.notify), runLifecycleOnce(nodeB.notify)])
        : [await runLifecycleOnce(nodeA.notify), await runLifecycleOnce(nodeB.notify)]
    const sent = runs.flat()
    expect(sent.filter((n) => n.event === 'api_key.created')).toHaveLength(5)
    expect(sent.filter((n) => n.event === 'api_key.expiring')).toHaveLength(5)
    expect(new Set(sent.map((n) => `${n.event} ${n.keyId}`)).size).toBe(10)

    await nodeA.close() // a restart: a fresh node finds every notice recorded
    const nodeC = await world.node(clock)
    expect(await runLifecycleOnce(nodeC.notify)).toEqual([])
    await nodeC.webhookDispatcher.runDue()
    await receiver.waitFor(10)
    expect(receiver.received).toHaveLength(10)

    expect(await nodeB.lifecycle.scan()).toEqual([])
    expect(await nodeC.lifecycle.scan()).toBe('standby')
    await nodeB.lifecycle.stop() // hands the lease back
    expect(await nodeC.lifecycle.scan()).toEqual([])
  })

  it('emails members with settings.manage through a real SMTP server, retrying a refused send', async () => {
    const smtp = await startSmtpServer((attempt) => attempt === 1)
    world.defer(smtp.close)
    const clock = testClock()
    const env = { SMTP_URL: smtp.url, KEYWARD_MAIL_FROM: 'Keyward <keys@example.test>' }
    const keyward = await world.node(clock, env, { retryDelaysMs: [60_000] })
    const { project, owner, members } = await teamWithProject(keyward, ['member', 'viewer'])
    const start = clock()
    await keyward.services.keys.create(owner, { projectId: project.id, name: 'Billing sync', expires: '60d' })
    clock.set(start + 53 * day + hour)
    const [notice] = await sendDueExpiryNotices(keyward.notify)
    expect(notice).toMatchObject({ event: 'api_key.expiring', daysBefore: 7, emails: 2 })

    const first = await keyward.mailDispatcher?.runDue()
    expect(first?.map((m) => m.sent).sort()).toEqual([false, true]) // the server refused one with a 451
    const refused = first?.find((m) => !m.sent)
    const row = await keyward.storage.mails.findById(refused?.id ?? '')
    expect(row).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: clock() + 60_000 })
    expect(row?.lastError).toContain('451')
    expect(await keyward.mailDispatcher?.runDue()).toEqual([]) // not due before its retry
    clock.advance(60_000)
    expect((await keyward.mailDispatcher?.runDue())?.map((m) => m.sent)).toEqual([true])
    expect(await keyward.storage.mails.findById(refused?.id ?? '')).toMatchObject({
      state: 'sent',
      attempts: 2,
    })

    const mails = await smtp.waitFor(2)
    const users = await Promise.all(
      [owner, members.member].map((m) => keyward.users.findById(m?.userId ?? '')),
    )
    expect(mails.flatMap((m) => m.to).sort()).toEqual(users.map((u) => u?.email).sort())
    const viewer = await keyward.users.findById(members.viewer?.userId ?? '')
    expect(mails.flatMap((m) => m.to)).not.toContain(viewer?.email)
    for (const mail of mails) {
      expect(mail.from).toBe('keys@example.test')
      const { subject, text } = readMail(mail.raw)
      expect(subject).toBe('Keyward: API key "Billing sync" expires in 7 days')
      expect(text).toContain('of project Website expires in 7 days.\n')
      expect(text).toContain(`Manage your keys: http://localhost:3000/a/${project.accountId}/keys\n`)
    }
  })
})
