import type { Config } from './config.ts'
import { ActivityRecorder } from './core/activity.ts'
import { type Clock, systemClock } from './core/clock.ts'
import { createKeyFormat } from './core/key-format.ts'
import type { Storage, UserDirectory } from './core/ports.ts'
import { createServices, type Services } from './core/services.ts'
import { KeyVerifier } from './core/verify.ts'
import type { WebhookDeps } from './core/webhooks.ts'
import type { Auth } from './identity/auth.ts'
import { userDirectory } from './identity/users.ts'
import { migrateToLatest, type OpenDatabase, openDatabase } from './storage/database.ts'
import { createRateLimiter, type RateLimiterHandle } from './storage/rate-limiter.ts'
import { createStorage } from './storage/storage.ts'

export interface Keyward {
  rateLimiter: RateLimiterHandle
  activity: ActivityRecorder
  webhookDeps: WebhookDeps
  config: Config
  database: OpenDatabase
  storage: Storage
  users: UserDirectory
  getAuth(): Promise<Auth>
  verifier: KeyVerifier
  clock: Clock
  services: Services
  close(): Promise<void>
}

/** The composition root: config → database (migrated) → stores → identity → services. */
/** What the HTTP app needs from a composed Keyward. */
export function appDeps(keyward: Keyward) {
  const { verifier, rateLimiter, activity, clock, webhookDeps: webhooks, config } = keyward
  return {
    verifier,
    rateLimiter,
    activity,
    clock,
    webhooks,
    logLevel: config.logLevel,
    trustProxy: config.trustProxy,
  }
}

export async function composeKeyward(
  config: Config,
  given: { database?: OpenDatabase; clock?: Clock } = {},
): Promise<Keyward> {
  const database = given.database ?? openDatabase(config.databaseUrl)
  const clock = given.clock ?? systemClock
  try {
    await migrateToLatest(database.db)
    const storage = createStorage(database.db)
    let auth: Promise<Auth> | undefined
    const getAuth = () => {
      auth ??= import('./identity/auth.ts').then(async ({ createAuth, loadAuthSecret }) =>
        createAuth({
          db: database.db,
          kind: database.kind,
          secret: await loadAuthSecret(database.db, config.authSecret),
          baseURL: `http://localhost:${config.port}`,
        }),
      )
      return auth
    }
    const users = userDirectory(database.db, getAuth)
    const keyFormat = createKeyFormat(config.keyPrefix)
    const verifier = new KeyVerifier(storage.keys, keyFormat, clock, database.externalChanges)
    const services = createServices({ storage, users, clock, keyFormat, verifier })
    const rateLimiter = createRateLimiter({ redisUrl: config.redisUrl })
    const activity = new ActivityRecorder(storage.activity, storage.keys, clock, {
      retentionDays: config.activityRetentionDays,
    })
    const webhookDeps = { storage, clock, allowInsecureUrls: config.allowHttpWebhooks }
    const close = async () => {
      await activity.stop()
      await rateLimiter.close()
      await database.close()
    }
    return {
      config,
      database,
      storage,
      users,
      getAuth,
      verifier,
      clock,
      services,
      rateLimiter,
      activity,
      webhookDeps,
      close,
    }
  } catch (error) {
    await database.close()
    throw error
  }
}
