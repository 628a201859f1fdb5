import type { Config } from './config.ts'
import { type Clock, systemClock } from './core/clock.ts'
import { createKeyFormat } from './core/key-format.ts'
import type { Storage, UserDirectory } from './core/ports.ts'
import { createServices, type Services } from './core/services.ts'
import { KeyVerifier } from './core/verify.ts'
import type { Auth } from './identity/auth.ts'
import { userDirectory } from './identity/users.ts'
import { migrateToLatest, type OpenDatabase, openDatabase } from './storage/database.ts'
import { createStorage } from './storage/storage.ts'

export interface Keyward {
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
    return {
      config,
      database,
      storage,
      users,
      getAuth,
      verifier,
      clock,
      services,
      close: () => database.close(),
    }
  } catch (error) {
    await database.close()
    throw error
  }
}
