import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { loadConfig } from '../../src/config.ts'
import type { Clock } from '../../src/core/clock.ts'
import type { MailDispatcherOptions } from '../../src/core/mail.ts'
import { composeKeyward, type Keyward } from '../../src/main.ts'
import { type OpenDatabase, openDatabase } from '../../src/storage/database.ts'
import { postgresUrl } from './databases.ts'
import { startReceiver } from './receiver.ts'
import { fastDelivery } from './webhooks.ts'

export const keyEvents = [
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  'api_key.exposed',
  'api_key.expiring',
  'api_key.expired',
] as const

/**
 * One database that several nodes open, each with connections of its own: a SQLite file, or a fresh schema of the
 * Postgres test database. Everything opened is closed by `cleanUp()`.
 */
export function sharedDatabase(kind: 'sqlite' | 'postgres') {
  const cleanups: Array<() => Promise<unknown>> = []
  const dir = mkdtempSync(join(tmpdir(), 'keyward-notify-'))
  const schema = `kw_test_${randomBytes(6).toString('hex')}`
  let created: Promise<void> | undefined
  const ensureSchema = async () => {
    if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set')
    const admin = openDatabase(postgresUrl)
    await sql`create schema ${sql.id(schema)}`.execute(admin.db)
    await admin.close()
  }
  return {
    async open(): Promise<OpenDatabase> {
      if (kind === 'sqlite') return openDatabase(join(dir, 'keyward.db'))
      created ??= ensureSchema()
      await created
      return openDatabase(postgresUrl ?? '', { schema })
    },
    /** A node as `keyward serve` composes it, with loopback receivers allowed and the given clock and env. */
    async node(
      clock: Clock,
      env: Record<string, string> = {},
      mail: Partial<MailDispatcherOptions> = {},
    ): Promise<Keyward> {
      const database = await this.open()
      const keyward = await composeKeyward(
        loadConfig({ LOG_LEVEL: 'silent', KEYWARD_ALLOW_HTTP_WEBHOOKS: '1', ...env }),
        { database, clock, webhookDelivery: fastDelivery, mail },
      )
      let closed: Promise<void> | undefined
      const close = () => {
        closed ??= keyward.close()
        return closed
      }
      cleanups.push(close)
      return { ...keyward, close }
    },
    defer(cleanup: () => Promise<unknown>) {
      cleanups.push(cleanup)
    },
    async cleanUp() {
      for (const cleanup of cleanups.reverse()) await cleanup()
      if (created && postgresUrl) {
        const admin = openDatabase(postgresUrl)
        await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db)
        await admin.close()
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A loopback webhook receiver, subscribed to every `api_key.*` event of the project. */
export async function keyEventReceiver(
  world: ReturnType<typeof sharedDatabase>,
  keyward: Keyward,
  owner: Parameters<Keyward['services']['webhooks']['create']>[0],
  projectId: string,
) {
  const receiver = await startReceiver()
  world.defer(receiver.close)
  const webhook = await keyward.services.webhooks.create(owner, {
    projectId,
    url: receiver.url,
    events: [...keyEvents],
  })
  return { receiver, webhook }
}
