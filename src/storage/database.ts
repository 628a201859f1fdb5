import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
} from 'kysely'
import { LRUCache } from 'lru-cache'
import pg from 'pg'
import { activityReasons } from '../core/activity-reason.ts'
import type { ExternalChangeSignal } from '../core/ports.ts'
import { halfDayPruneSqls, shapePruneSql, sqlitePruneSql } from './activity-sqlite.js'
import { ActivityWriter } from './activity-writer.ts'
import { type DatabaseKind, databaseKind } from './dialect.ts'
import { migrationProvider } from './migrations/index.ts'
import type { KeywardTables } from './schema.ts'
import { hourlyPruneSql, sqliteHourlyUpsertSql } from './stores/activity-hourly.ts'
import { routePruneSql, sqliteRouteUpsertSql } from './stores/activity-hourly-routes.ts'
import { outboxInsertSql } from './stores/audit-outbox.ts'
import { lastUsedUpdateSql } from './stores/keys.ts'

export const defaultSqlitePath = './data/keyward.db'

export interface OpenDatabase {
  db: Kysely<KeywardTables>
  kind: DatabaseKind
  /** SQLite only: the connection itself, for the few writes that bypass Kysely for speed. */
  sqlite?: SQLite.Database
  /** SQLite only: learns of key changes committed by other processes on the same file. */
  externalChanges?: ExternalChangeSignal
  /** SQLite only: the same for the OAuth grant cache (each cache needs a signal of its own: asking consumes it). */
  externalGrantChanges?: ExternalChangeSignal
  /** SQLite only: learns of any commit by another connection to the file (for caches without a counter of their own). */
  externalCommits?: ExternalChangeSignal
  /** SQLite files only: the thread that writes Agent Activity rows on a connection of its own. */
  activityWriter?: ActivityWriter
  /**
   * SQLite files: folds the WAL back into the database file and empties it; elsewhere nothing. Run before serving:
   * left to SQLite, the activity thread's first commit would copy back whatever start-up wrote (migrations, the
   * demo's 29 MB, the WAL of a process that was killed), and the first rows would wait a few hundred ms more.
   */
  checkpoint(): Promise<void>
  close(): Promise<void>
}

export interface OpenOptions {
  /** Postgres only: the schema to work in (tests isolate themselves this way). */
  schema?: string
  /** SQLite files only: how often the writer thread checkpoints the WAL (default 10 s). */
  checkpointEveryMs?: number
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url)
}

export function openDatabase(url: string = defaultSqlitePath, options: OpenOptions = {}): OpenDatabase {
  return isPostgresUrl(url) ? openPostgres(url, options) : openSqlite(url, options)
}

function openSqlite(path: string, options: OpenOptions): OpenDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new SQLite(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const db = new Kysely<KeywardTables>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }),
  })
  const activityWriter =
    path === ':memory:'
      ? undefined
      : new ActivityWriter(
          path,
          {
            prune: sqlitePruneSql,
            lastUsed: lastUsedUpdateSql,
            upsertHour: sqliteHourlyUpsertSql,
            upsertRoute: sqliteRouteUpsertSql,
            pruneRollups: [hourlyPruneSql, routePruneSql, shapePruneSql, ...halfDayPruneSqls],
            outboxInsert: outboxInsertSql,
          },
          activityReasons,
          options.checkpointEveryMs,
        )
  // A commit that takes the WAL past 1,000 pages runs the checkpoint on its own connection: copying pages and an
  // fsync, milliseconds during which this event loop would serve nobody. The writer thread checkpoints instead.
  if (activityWriter) sqlite.pragma('wal_autocheckpoint = 0')
  return {
    db,
    kind: 'sqlite',
    sqlite,
    ...externalSignals(sqlite),
    activityWriter,
    async checkpoint() {
      if (path !== ':memory:') sqlite.pragma('wal_checkpoint(TRUNCATE)')
    },
    async close() {
      await activityWriter?.close()
      await db.destroy()
      // Kysely closes the connection only if it ever used it. Closed last, it checkpoints the WAL and removes it.
      if (sqlite.open) sqlite.close()
    },
  }
}

/**
 * Transactions take the write lock when they begin (`BEGIN IMMEDIATE`), not at their first write. Begun deferred, a
 * transaction that reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT when another connection (the activity
 * thread, several times a second under load) commits in between, and no busy timeout helps; begun immediate, it
 * waits for the lock instead.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings)
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings)
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

/**
 * Kysely's SQLite driver prepares every query afresh, which cost about a tenth of the CPU of a keyed request that
 * reads the database. Queries are parameterized, so a few hundred distinct SQL texts cover the whole application.
 * Reusing a statement is safe: the driver runs each one to completion (`all`/`run`) under its connection lock.
 */
function withStatementCache(sqlite: SQLite.Database) {
  const statements = new LRUCache<string, SQLite.Statement>({ max: 500 })
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql)
      if (!statement) {
        statement = sqlite.prepare(sql)
        statements.set(sql, statement)
      }
      return statement
    },
  }
}

/**
 * `PRAGMA data_version` changes whenever another connection commits to the file. On a WAL file it costs about
 * 2.5 µs (ten times a cache hit, and far more while the activity thread commits), so it is read at most once per
 * millisecond, and that one read serves both signals below: a change by another process is seen by every read that
 * starts 1 ms or more after its commit.
 */
function externalSignals(sqlite: SQLite.Database): {
  externalChanges: ExternalChangeSignal
  externalGrantChanges: ExternalChangeSignal
  externalCommits: ExternalChangeSignal
} {
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck()
  let version = dataVersion.get()
  let readAt = Date.now()
  /** The version as of this millisecond, or undefined when it was already read in this millisecond. */
  const freshVersion = (): unknown => {
    const now = Date.now()
    if (now === readAt) return undefined
    readAt = now
    version = dataVersion.get()
    return version
  }
  const signalOf = (check: () => boolean): ExternalChangeSignal => ({ changedSinceLastCheck: check })
  const seen = { keys: version, grants: version, commits: version }
  const changed = (who: 'keys' | 'grants' | 'commits'): boolean => {
    freshVersion()
    if (version === seen[who]) return false
    seen[who] = version
    return true
  }
  return {
    externalChanges: keyChangeSignal(sqlite, () => changed('keys')),
    // Grant changes move the same key generation (the grant store's `announceChange`).
    externalGrantChanges: keyChangeSignal(sqlite, () => changed('grants')),
    // Any commit by another connection, for caches without a counter of their own (each project's webhook list).
    // The activity thread commits a few times a second under load: such a cache then drops its entries, a few
    // database reads a second.
    externalCommits: signalOf(() => changed('commits')),
  }
}

/**
 * Tells the key cache that another process changed keys (a CLI revoke). Other connections commit for other reasons
 * too (the activity writer every 250 ms), so a changed data version is only a hint: the key generation, which every
 * key change moves in its own transaction (see the key store's `announceChange`), says whether keys changed.
 */
function keyChangeSignal(sqlite: SQLite.Database, committedElsewhere: () => boolean): ExternalChangeSignal {
  let generation: SQLite.Statement | undefined
  const readGeneration = (): unknown => {
    try {
      generation ??= sqlite
        .prepare(`select value from instance_settings where name = 'key_generation'`)
        .pluck()
      return generation.get() ?? '0'
    } catch {
      return '0' // not migrated yet: the counter starts at 0 when migration 0008 creates it
    }
  }
  let seenGeneration = readGeneration()
  return {
    changedSinceLastCheck() {
      if (!committedElsewhere()) return false
      const current = readGeneration()
      if (current === seenGeneration) return false
      seenGeneration = current
      return true
    },
  }
}

/** int8 (bigint, count(*)) as a JS number: our instants and counts stay far below 2^53. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? Number
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

function openPostgres(url: string, options: OpenOptions): OpenDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: pgTypes,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  })
  const db = new Kysely<KeywardTables>({ dialect: new PostgresDialect({ pool }) })
  return { db, kind: 'postgres', checkpoint: async () => {}, close: () => db.destroy() }
}

/**
 * Brings the schema up to date; Kysely takes a lock so that nodes starting together migrate once. On Postgres its
 * bookkeeping tables are looked for in the connection's own schema: left unnamed, Kysely takes them to exist when any
 * schema of the database has tables of those names (another Kysely application, or a concurrent test's schema), skips
 * creating them, and then fails on the missing lock table.
 */
export async function migrateToLatest(db: Kysely<KeywardTables>): Promise<string[]> {
  const migrationTableSchema =
    databaseKind(db) === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error instanceof Error ? error : new Error(String(error))
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
