import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { createWebhook, deleteWebhook } from '../src/core/webhooks.ts'
import { composeKeyward, type Keyward } from '../src/main.ts'
import { runCli, runCliJson } from './support/cli.ts'
import { teamWithProject } from './support/keyward.ts'
import { hmacHex, type Receiver, startReceiver } from './support/receiver.ts'

let dir: string
let env: Record<string, string>
let hooks: Receiver
let status = 200
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyward-webhook-cli-'))
  env = { DATABASE_URL: join(dir, 'keyward.db'), KEYWARD_ALLOW_HTTP_WEBHOOKS: '1' }
  hooks = await startReceiver(() => status)
})
afterAll(async () => {
  await hooks.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Opens the database file the CLI works on. */
async function onDatabase<T>(look: (keyward: Keyward) => Promise<T>): Promise<T> {
  const keyward = await composeKeyward(loadConfig(env))
  try {
    return await look(keyward)
  } finally {
    await keyward.close()
  }
}

const countDeliveries = () =>
  onDatabase(async (k) =>
    Number(
      (
        await k.database.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  )

describe('keyward webhook test', () => {
  let webhook: { id: string; secret: string; projectId: string }

  beforeAll(async () => {
    webhook = await onDatabase(async (k) => {
      const { project, owner } = await teamWithProject(k)
      const input = { projectId: project.id, url: hooks.url, events: ['action.created' as const] }
      return createWebhook(k.webhookDeps, owner, input)
    })
  })

  it('sends a signed webhook.test event at once and prints the outcome as JSON', async () => {
    const printed = await runCliJson(['webhook', 'test', webhook.id], env)
    expect(printed).toEqual({
      deliveryId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      webhookId: webhook.id,
      event: 'webhook.test',
      state: 'delivered',
      attempt: 1,
      statusCode: 200,
      error: null,
      durationMs: expect.any(Number),
      nextAttemptAt: null,
    })
    const [request] = await hooks.waitFor(1)
    if (!request) throw new Error('nothing received')
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'DevTune-Webhook/2.0',
      'x-devtune-event': 'webhook.test',
      'x-devtune-signature': hmacHex(webhook.secret, request.body),
    })
    expect(JSON.parse(request.body)).toEqual({
      id: printed.deliveryId,
      event: 'webhook.test',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      projectId: webhook.projectId,
      data: { message: expect.any(String) },
    })
    const stored = await onDatabase(async (k) => ({
      delivery: await k.storage.deliveries.findById(String(printed.deliveryId)),
      attempts: await k.storage.deliveries.listAttempts(String(printed.deliveryId)),
    }))
    expect(stored.delivery).toMatchObject({ body: request.body, state: 'delivered', attempts: 1 })
    expect(stored.attempts).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200, error: null })])
  })

  it('prints a failed attempt and leaves the delivery queued for a retry a minute later', async () => {
    status = 500
    const result = await runCli(['webhook', 'test', webhook.id], env)
    status = 200
    expect(result.code).toBe(1) // the delivery failed: scripts can tell
    const match = result.stdout.match(
      /^Test delivery ([0-9a-f-]{36}): HTTP 500 \(pending, next attempt at (\S+)\)\n$/,
    )
    expect(match, result.stdout).not.toBeNull()
    const delivery = await onDatabase((k) => k.storage.deliveries.findById(match?.[1] ?? ''))
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1 })
    expect(new Date(match?.[2] ?? '').getTime()).toBe(delivery?.nextAttemptAt)
    expect((delivery?.nextAttemptAt ?? 0) - Date.now()).toBeGreaterThan(50_000)
    expect(hooks.received).toHaveLength(2)
  })

  it('prints a generic error for a receiver that cannot be reached, and logs the detail on stderr', async () => {
    const gone = await startReceiver()
    await gone.close()
    const unreachable = await onDatabase(async (k) => {
      const { project, owner } = await teamWithProject(k)
      const input = { projectId: project.id, url: gone.url, events: ['action.created' as const] }
      return createWebhook(k.webhookDeps, owner, input)
    })
    const result = await runCli(['webhook', 'test', unreachable.id], env)
    expect(result.code).toBe(1)
    const match = result.stdout.match(
      /^Test delivery ([0-9a-f-]{36}): error: connection failed \(pending, next attempt at \S+\)\n$/,
    )
    expect(match, result.stdout).not.toBeNull()
    const [attempt] = await onDatabase((k) => k.storage.deliveries.listAttempts(match?.[1] ?? ''))
    const [line, ...more] = result.stderr.split('\n').filter(Boolean)
    expect(more).toEqual([])
    expect(line).toMatch(/^keyward: warn: webhook attempt failed \{/)
    expect(JSON.parse(line?.slice(line.indexOf('{')) ?? '')).toEqual({
      webhookId: unreachable.id,
      deliveryId: match?.[1],
      attemptId: attempt?.id,
      attempt: 1,
      error: 'connection failed',
      detail: expect.stringContaining('ECONNREFUSED'),
    })
  })

  it("says when a refusal comes from the CLI's own environment lacking KEYWARD_ALLOW_HTTP_WEBHOOKS", async () => {
    const strict = { ...env, KEYWARD_ALLOW_HTTP_WEBHOOKS: '' }
    const result = await runCli(['webhook', 'test', webhook.id, '--json'], strict)
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stdout)).toMatchObject({
      state: 'pending',
      statusCode: null,
      error:
        "address not allowed (this CLI's environment lacks KEYWARD_ALLOW_HTTP_WEBHOOKS=1, which allows http:// and " +
        'local addresses)',
      nextAttemptAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    })
    const created = await runCli(
      ['webhook', 'create', '--project', webhook.projectId, '--url', hooks.url, '--events', 'action.created'],
      strict,
    )
    expect(created.code).toBe(1)
    expect(created.stderr).toBe(
      "keyward: Invalid request body: url must use https (this CLI's environment lacks " +
        'KEYWARD_ALLOW_HTTP_WEBHOOKS=1, which allows http:// and local addresses)\n',
    )
  })

  it('refuses an unknown or deleted webhook with one line on stderr and changes nothing', async () => {
    const before = await countDeliveries()
    const unknown = await runCli(['webhook', 'test', randomUUID()], env)
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'keyward: Webhook not found\n' })

    await onDatabase(async (k) => {
      const { project, owner } = await teamWithProject(k)
      const input = { projectId: project.id, url: hooks.url, events: ['action.created' as const] }
      const doomed = await createWebhook(k.webhookDeps, owner, input)
      await deleteWebhook(k.webhookDeps, owner, { projectId: project.id, webhookId: doomed.id })
      webhook = { ...webhook, id: doomed.id }
    })
    const deleted = await runCli(['webhook', 'test', webhook.id, '--json'], env)
    expect(deleted).toEqual({ code: 1, stdout: '', stderr: 'keyward: Webhook not found\n' })
    expect(await countDeliveries()).toBe(before)
    expect(hooks.received).toHaveLength(2)
  })
})
