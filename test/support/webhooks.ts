import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import type { WebhookDispatcherOptions } from '../../src/core/webhook-dispatcher.ts'
import { appDeps, composeKeyward, type Keyward } from '../../src/main.ts'
import type { OpenDatabase } from '../../src/storage/database.ts'
import { buildApp } from '../../src/transport/http/app.ts'
import { teamWithProject } from './keyward.ts'

/**
 * Retries after 40, 80, 160, 320 and 640 ms: the production schedule's shape, in milliseconds. The request timeout
 * and lease stay long: a loopback receiver on a busy machine may take seconds to answer, and a test that wants a
 * timeout sets its own.
 */
export const fastDelivery: WebhookDispatcherOptions = {
  retryDelaysMs: [40, 80, 160, 320, 640],
  pollEveryMs: 5,
  timeoutMs: 10_000,
  leaseMs: 30_000,
}

/** A temporary directory of SQLite files and everything opened on them, closed again by `cleanUp()`. */
export function webhookWorld() {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-webhooks-'))
  let cleanups: Array<() => Promise<unknown>> = []
  return {
    newDatabaseFile: () => join(dir, `${randomUUID()}.db`),
    defer(cleanup: () => Promise<unknown>) {
      cleanups.push(cleanup)
    },
    /**
     * A Keyward on the SQLite file, as `keyward serve` composes it, or on a test database; http and loopback
     * receivers allowed unless told not.
     */
    async compose(
      on: string | OpenDatabase,
      delivery: WebhookDispatcherOptions = fastDelivery,
      allowHttpWebhooks = true,
    ): Promise<Keyward> {
      const env = {
        LOG_LEVEL: 'silent',
        ...(allowHttpWebhooks ? { KEYWARD_ALLOW_HTTP_WEBHOOKS: '1' } : {}),
      }
      const keyward =
        typeof on === 'string'
          ? await composeKeyward(loadConfig({ ...env, DATABASE_URL: on }), { webhookDelivery: delivery })
          : await composeKeyward(loadConfig(env), { database: on, webhookDelivery: delivery })
      let closed: Promise<void> | undefined
      const close = () => {
        closed ??= keyward.close()
        return closed
      }
      cleanups.push(close)
      return { ...keyward, close }
    },
    async cleanUp() {
      for (const cleanup of cleanups.reverse()) await cleanup()
      cleanups = []
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A team, a project, a full-access key for it, and the REST app, called as an API client would. */
export async function restClient(keyward: Keyward) {
  const { project, owner } = await teamWithProject(keyward)
  const { key } = await keyward.services.keys.create(owner, { projectId: project.id, name: 'Webhooks' })
  const app = await buildApp(appDeps(keyward))
  const call = async (method: 'GET' | 'POST' | 'DELETE', path: string, payload?: object) => {
    const response = await app.inject({
      method,
      url: `/api/v2/projects/${project.id}${path}`,
      headers: { authorization: `Bearer ${key}` },
      ...(payload ? { payload } : {}),
    })
    return { status: response.statusCode, body: response.json() }
  }
  return { project, owner, app, call }
}

/** The delivery row exactly as stored. */
export const deliveryRow = (database: OpenDatabase, id: string) =>
  database.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

export const attemptRows = (database: OpenDatabase, deliveryId: string) =>
  database.db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempt')
    .execute()

/** Polls the row until it reaches `state`; `timeoutMs` is a backstop that names the state it was left in. */
export async function waitForState(database: OpenDatabase, id: string, state: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const row = await deliveryRow(database, id)
    if (row.state === state) return row
    if (Date.now() > deadline) expect(row.state).toBe(state)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
