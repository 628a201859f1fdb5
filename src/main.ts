import { sql } from 'kysely'
import { backgroundLog, throttledWarning } from './background-log.ts'
import type { Config } from './config.ts'
import { leakResponseFor } from './core/account-key-policy.ts'
import { ActivityRecorder } from './core/activity.ts'
import { AuditStreamer, type AuditStreamOptions } from './core/audit-stream.ts'
import { type Clock, systemClock } from './core/clock.ts'
import { ExposureWorker, type ExposureWorkerOptions } from './core/exposure-worker.ts'
import { acceptLeakReports, type ExposureDeps, type LeakReport } from './core/exposures.ts'
import type { NotifyDeps } from './core/key-events.ts'
import { createKeyFormat } from './core/key-format.ts'
import { LifecycleJob, type LifecycleJobOptions } from './core/key-lifecycle.ts'
import { MailDispatcher, type MailDispatcherOptions } from './core/mail.ts'
import { PartnerKeyring, type PartnerKeyringOptions } from './core/partner-keyring.ts'
import type { Storage, UserDirectory } from './core/ports.ts'
import { createDashboardQueries, type DashboardQueries } from './core/read-models/index.ts'
import { createServices, type Services } from './core/services.ts'
import type { SignInThrottle } from './core/sign-in-throttle.ts'
import { KeyVerifier } from './core/verify.ts'
import { WebhookDispatcher, type WebhookDispatcherOptions } from './core/webhook-dispatcher.ts'
import { WebhookListCache } from './core/webhook-list-cache.ts'
import type { Auth } from './identity/auth.ts'
import { loadAuthSecret } from './identity/secret.ts'
import { type SessionGate, sessionGate } from './identity/sessions.ts'
import { userDirectory } from './identity/users.ts'
import { migrateToLatest, type OpenDatabase, openDatabase } from './storage/database.ts'
import { KeyChangeListener } from './storage/key-change-listener.ts'
import { createRateLimiter, type RateLimiterHandle } from './storage/rate-limiter.ts'
import { createReadModels } from './storage/read-models/index.ts'
import { createSignInThrottle } from './storage/sign-in-throttle.ts'
import { createStorage } from './storage/storage.ts'
import { createMailSender } from './transport/mail-sender.ts'
import { partnerKeyFetcher } from './transport/partner-keys.ts'
import { createWebhookSender } from './transport/webhook-sender.ts'

export interface Readiness {
  ready: boolean
  checks: { database: boolean; redis: boolean | null; keyChangeListener: boolean | null }
}

export interface Keyward {
  rateLimiter: RateLimiterHandle
  activity: ActivityRecorder
  /** Postgres only: evicts keys that other nodes changed; `keyward serve` starts it. */
  keyChanges?: KeyChangeListener
  readiness(): Promise<Readiness>
  /** KEYWARD_AUDIT_STREAM_URL only: sends the audit outbox to the SIEM receiver once started (`keyward serve`). */
  auditStreamer?: AuditStreamer
  /** Key lifecycle webhooks and mails, and the expiry notices (`keyward serve` starts it). */
  lifecycle: LifecycleJob
  /** What the lifecycle job works with (`keyward lifecycle run` runs it once). */
  notify: NotifyDeps
  /** SMTP_URL only: sends queued notice mails once started (`keyward serve`). */
  mailDispatcher?: MailDispatcher
  /** Sends queued webhook deliveries once started (`keyward serve` starts it). */
  webhookDispatcher: WebhookDispatcher
  /** Acts on queued leak reports (revoke or flag, History); `keyward serve` starts its poll. */
  exposures: ExposureWorker
  exposureDeps: ExposureDeps
  /** GitHub's secret scanning public keys, fetched and cached. */
  partnerKeys: PartnerKeyring
  /** Failed webhook attempts in detail (members see only a generic error); `keyward serve` points it at its log. */
  log: ReturnType<typeof backgroundLog>
  config: Config
  database: OpenDatabase
  storage: Storage
  users: UserDirectory
  getAuth(): Promise<Auth>
  /** Signs sessions and the dashboard's CSRF cookie. */
  authSecret: string
  sessions: SessionGate
  signInThrottle: SignInThrottle
  queries: DashboardQueries
  verifier: KeyVerifier
  /** Each project's active webhooks, cached on this node; other nodes' changes invalidate it. */
  webhookLists: WebhookListCache
  clock: Clock
  services: Services
  close(): Promise<void>
}

/** What the HTTP app needs from a composed Keyward. */
export function appDeps(keyward: Keyward) {
  const { verifier, rateLimiter, activity, clock, services, config, readiness } = keyward
  return {
    readiness,
    verifier,
    rateLimiter,
    activity,
    clock,
    services,
    logLevel: config.logLevel,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    mcpAllowedOrigins: config.mcpAllowedOrigins,
    secretScanning: {
      keyFor: (identifier: string) => keyward.partnerKeys.keyFor(identifier),
      accept: (reports: LeakReport[]) =>
        acceptLeakReports(keyward.exposureDeps, 'github-secret-scanning', reports),
      afterReply: () => keyward.exposures.kick(),
    },
    dashboard: {
      services,
      queries: keyward.queries,
      sessions: keyward.sessions,
      throttle: keyward.signInThrottle,
      cookieSecret: keyward.authSecret,
      secureCookies: config.publicUrl.startsWith('https:'),
    },
  }
}

/**
 * What `keyward serve` mounts: the HTTP app's deps plus what MCP OAuth adds (the authorization server, the token
 * checks). Tests that need the app exactly as served build it from this.
 */
export async function servedAppDeps(keyward: Keyward) {
  return appDeps(keyward)
}

/** The composition root: config → database (migrated) → stores → identity → services. */
export async function composeKeyward(
  config: Config,
  given: {
    database?: OpenDatabase
    clock?: Clock
    /** Retry schedule, poll interval, timeout: tests shrink them to milliseconds. */
    webhookDelivery?: WebhookDispatcherOptions
    /** Poll interval, retry schedule, batch size: tests shrink them. */
    auditStream?: Partial<AuditStreamOptions>
    /** The account's leak response; until the account policy provides one, `revoke`. */
    leakResponseFor?: ExposureDeps['leakResponseFor']
    /** Poll interval and lease of the leak-report worker. */
    exposures?: ExposureWorkerOptions
    /** Cache lifetime and refetch interval of GitHub's key list. */
    partnerKeys?: PartnerKeyringOptions
    /** Relay and scan intervals: tests shrink or stretch them. */
    lifecycle?: LifecycleJobOptions
    /** Retry schedule and poll interval of notice mails: tests shrink them. */
    mail?: Partial<MailDispatcherOptions>
  } = {},
): Promise<Keyward> {
  const database = given.database ?? openDatabase(config.databaseUrl)
  const clock = given.clock ?? systemClock
  try {
    await migrateToLatest(database.db)
    const storage = createStorage(database.db, {
      sqlite: database.sqlite,
      activityWriter: database.activityWriter,
      auditStream: config.auditStream !== undefined,
    })
    const authSecret = await loadAuthSecret(database.db, config.authSecret)
    let auth: Promise<Auth> | undefined
    const getAuth = () => {
      auth ??= import('./identity/auth.ts').then(({ createAuth }) =>
        createAuth({ db: database.db, kind: database.kind, secret: authSecret, baseURL: config.publicUrl }),
      )
      return auth
    }
    const users = userDirectory(database.db, getAuth)
    const keyFormat = createKeyFormat(config.keyPrefix)
    // Postgres: other nodes announce key changes by NOTIFY; until the listener runs, the cache is bypassed.
    const keyChanges =
      database.kind === 'postgres'
        ? new KeyChangeListener({
            url: config.databaseUrl,
            log: (level, message) => process.stderr.write(`keyward: ${level}: ${message}\n`),
          })
        : undefined
    const verifier = new KeyVerifier(storage.keys, keyFormat, clock, database.externalChanges ?? keyChanges)
    const webhookLists = new WebhookListCache(storage.webhooks, database.externalCommits ?? keyChanges)
    const rateLimiter = createRateLimiter({
      redisUrl: config.redisUrl,
      onRedisError: throttledWarning('Redis'),
    })
    const allowInsecureWebhookUrls = config.allowHttpWebhooks
    const services = createServices({
      storage,
      users,
      clock,
      keyFormat,
      verifier,
      allowInsecureWebhookUrls,
      webhookLists,
      rateLimiter,
    })
    keyChanges?.evictsFrom({ keys: verifier, webhookLists })
    const queries = createDashboardQueries({ storage, views: createReadModels(database.db), clock })
    const signInThrottle = createSignInThrottle({ redisUrl: config.redisUrl })
    const activity = new ActivityRecorder(storage.activity, storage.keys, clock, {
      retentionDays: config.activityRetentionDays,
      history: config.historyRetentionDays
        ? { events: storage.events, retentionDays: config.historyRetentionDays }
        : undefined,
    })
    const log = backgroundLog()
    const webhookDispatcher = new WebhookDispatcher(
      storage,
      createWebhookSender({ allowPrivate: config.allowHttpWebhooks }),
      clock,
      {
        allowInsecureUrls: config.allowHttpWebhooks,
        onError: (error) => process.stderr.write(`keyward: webhook delivery: ${String(error)}\n`),
        onAttemptFailure: (failed) => log.warn(failed, 'webhook attempt failed'),
        ...given.webhookDelivery,
      },
    )
    const auditStreamer =
      config.auditStream &&
      new AuditStreamer(
        storage.auditOutbox,
        createWebhookSender({ allowPrivate: config.allowHttpWebhooks }),
        clock,
        {
          ...config.auditStream,
          onError: (error) => log.warn({ error: String(error) }, 'audit stream delivery failed'),
          ...given.auditStream,
        },
      )
    const exposureDeps: ExposureDeps = {
      storage,
      clock,
      keyFormat,
      onKeyChanged: (keyId) => verifier.evictKey(keyId),
      leakResponseFor: given.leakResponseFor ?? ((accountId) => leakResponseFor(storage, accountId)),
    }
    const exposures = new ExposureWorker(exposureDeps, {
      onError: (error) => log.warn({ error: String(error) }, 'leak report processing failed'),
      ...given.exposures,
    })
    const partnerKeys = new PartnerKeyring(
      partnerKeyFetcher(config.secretScanningKeysUrl, { allowPrivate: config.allowHttpWebhooks }),
      clock,
      given.partnerKeys,
    )
    const notify: NotifyDeps = {
      storage,
      clock,
      mail: config.mail && { from: config.mail.from, dashboardUrl: config.publicUrl },
    }
    const lifecycle = new LifecycleJob(notify, {
      onError: (error) => log.warn({ error: String(error) }, 'key lifecycle job failed'),
      ...given.lifecycle,
    })
    const mailSender = config.mail && createMailSender(config.mail.smtpUrl)
    const mailDispatcher =
      config.mail &&
      mailSender &&
      new MailDispatcher(storage.mails, mailSender, clock, {
        from: config.mail.from,
        // The SMTP server's answer, never the URL (it holds the credentials).
        onError: (error) => log.warn({ error: String(error) }, 'notice mail not sent; will retry'),
        ...given.mail,
      })
    const readiness = async (): Promise<Readiness> => {
      const checks = {
        database: await sql`select 1`.execute(database.db).then(
          () => true,
          () => false,
        ),
        redis: config.redisUrl ? await rateLimiter.ping() : null,
        keyChangeListener: keyChanges ? keyChanges.isListening : null,
      }
      // Only the database gates readiness. Without Redis a node still limits every key (in memory), and without
      // its listener it bypasses its cache: both degrade, neither makes an answer wrong.
      return { ready: checks.database, checks }
    }
    const close = async () => {
      await keyChanges?.stop()
      await exposures.stop() // a report in flight commits or stays queued for the next poll
      await webhookDispatcher.stop() // records the outcome of attempts in flight before the database closes
      await lifecycle.stop()
      await mailDispatcher?.stop()
      mailSender?.close()
      await auditStreamer?.stop() // the batch in flight settles; what is left waits in the outbox for the next start
      await activity.stop()
      await rateLimiter.close()
      await signInThrottle.close()
      await database.close()
    }
    return {
      config,
      database,
      storage,
      users,
      getAuth,
      authSecret,
      sessions: sessionGate(getAuth, users),
      signInThrottle,
      queries,
      verifier,
      webhookLists,
      clock,
      services,
      rateLimiter,
      activity,
      webhookDispatcher,
      exposures,
      exposureDeps,
      partnerKeys,
      lifecycle,
      notify,
      mailDispatcher,
      auditStreamer,
      log,
      keyChanges,
      readiness,
      close,
    }
  } catch (error) {
    await database.close()
    throw error
  }
}
