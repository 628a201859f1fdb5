import { defaultKeyPrefix } from './core/key-format.ts'
import { defaultSqlitePath } from './storage/database.ts'

export interface Config {
  port: number
  /** Interface to listen on; 0.0.0.0 (all) unless HOST says otherwise. */
  host: string
  /** A file path for SQLite, or a `postgres://` URL. */
  databaseUrl: string
  redisUrl?: string
  keyPrefix: string
  trustProxy: boolean | string
  logLevel: string
  /**
   * Where browsers reach this server (`KEYWARD_PUBLIC_URL`); an https URL makes every dashboard cookie `Secure`.
   * Defaults to http://localhost:PORT.
   */
  publicUrl: string
  /** Optional; without it a secret is generated once and kept in the database. */
  authSecret?: string
  /** Agent Activity rows older than this are pruned. */
  activityRetentionDays: number
  /** Browser origins allowed to call the MCP endpoint; agents send no Origin and are not affected. */
  mcpAllowedOrigins: string[]
  /** Lets webhooks use plain http and private hosts: for local receivers and tests only. */
  allowHttpWebhooks: boolean
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${env.PORT}`)
  return {
    port,
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || defaultSqlitePath,
    redisUrl: env.REDIS_URL || undefined,
    keyPrefix: env.KEYWARD_KEY_PREFIX || defaultKeyPrefix,
    trustProxy: parseTrustProxy(env.KEYWARD_TRUST_PROXY),
    logLevel: env.LOG_LEVEL || 'info',
    publicUrl: publicUrl(env.KEYWARD_PUBLIC_URL, port),
    authSecret: env.KEYWARD_AUTH_SECRET || undefined,
    activityRetentionDays: positiveInteger(
      env.KEYWARD_ACTIVITY_RETENTION_DAYS,
      30,
      'KEYWARD_ACTIVITY_RETENTION_DAYS',
    ),
    allowHttpWebhooks: env.KEYWARD_ALLOW_HTTP_WEBHOOKS === '1',
    mcpAllowedOrigins: (env.KEYWARD_MCP_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  }
}

function publicUrl(value: string | undefined, port: number): string {
  if (!value) return `http://localhost:${port}`
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (!url || !['http:', 'https:'].includes(url.protocol))
    throw new Error(`KEYWARD_PUBLIC_URL must be an http(s) URL, got ${value}`)
  return url.origin
}

function positiveInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${value}`)
  return n
}

/** `true`/`false`, or a list of proxy addresses/CIDRs as Fastify's `trustProxy` accepts. */
function parseTrustProxy(value: string | undefined): boolean | string {
  if (!value || value === 'false') return false
  if (value === 'true') return true
  return value
}
