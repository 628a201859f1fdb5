import { defaultKeyPrefix } from './core/key-format.ts'
import { judgeHost } from './core/public-address.ts'
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
  /** Lets webhooks (and the audit stream) use plain http and private hosts: for local receivers and tests only. */
  allowHttpWebhooks: boolean
  /** Management events older than this are deleted; kept forever when unset. */
  historyRetentionDays?: number
  /** The SIEM receiver of the audit stream (https), with the secret its batches are signed with; off when unset. */
  auditStream?: { url: string; secret: string }
  /**
   * Where GitHub publishes the keys it signs secret-scanning reports with (`KEYWARD_SECRET_SCANNING_KEYS_URL`).
   * Fetched through the guarded agent, so http and private hosts need KEYWARD_ALLOW_HTTP_WEBHOOKS=1 (tests).
   */
  secretScanningKeysUrl: string
  /** Notice emails (SMTP_URL and KEYWARD_MAIL_FROM, both or neither); off when unset. */
  mail?: { smtpUrl: string; from: string }
}

export const githubSecretScanningKeysUrl = 'https://api.github.com/meta/public_keys/secret_scanning'

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
    historyRetentionDays: env.KEYWARD_HISTORY_RETENTION_DAYS
      ? positiveInteger(env.KEYWARD_HISTORY_RETENTION_DAYS, 0, 'KEYWARD_HISTORY_RETENTION_DAYS')
      : undefined,
    auditStream: auditStream(env),
    secretScanningKeysUrl: secretScanningKeysUrl(env),
    mail: mail(env),
    mcpAllowedOrigins: (env.KEYWARD_MCP_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  }
}

/**
 * KEYWARD_AUDIT_STREAM_URL and KEYWARD_AUDIT_STREAM_SECRET, both or neither. The URL must be https to a host that
 * is not private (as for webhooks, every address it resolves to is judged again at each connection), unless
 * KEYWARD_ALLOW_HTTP_WEBHOOKS=1 allows http and private hosts for a local receiver.
 */
function auditStream(env: NodeJS.ProcessEnv): Config['auditStream'] {
  const url = env.KEYWARD_AUDIT_STREAM_URL
  const secret = env.KEYWARD_AUDIT_STREAM_SECRET
  if (!url && !secret) return undefined
  if (!url) throw new Error('KEYWARD_AUDIT_STREAM_SECRET is set without KEYWARD_AUDIT_STREAM_URL')
  if (!secret || secret.length < 16)
    throw new Error(
      'KEYWARD_AUDIT_STREAM_SECRET must be set, at least 16 characters, with KEYWARD_AUDIT_STREAM_URL',
    )
  const parsed = URL.canParse(url) ? new URL(url) : undefined
  const allowHttp = env.KEYWARD_ALLOW_HTTP_WEBHOOKS === '1'
  const schemes = allowHttp ? ['https:', 'http:'] : ['https:']
  if (!parsed || !schemes.includes(parsed.protocol) || parsed.username || parsed.password)
    throw new Error(`KEYWARD_AUDIT_STREAM_URL must be an https URL without credentials, got ${url}`)
  if (!allowHttp && !judgeHost(parsed.hostname).allowed)
    throw new Error(`KEYWARD_AUDIT_STREAM_URL must name a public host, got ${parsed.hostname}`)
  return { url: parsed.href, secret }
}

function secretScanningKeysUrl(env: NodeJS.ProcessEnv): string {
  const url = env.KEYWARD_SECRET_SCANNING_KEYS_URL || githubSecretScanningKeysUrl
  const parsed = URL.canParse(url) ? new URL(url) : undefined
  const schemes = env.KEYWARD_ALLOW_HTTP_WEBHOOKS === '1' ? ['https:', 'http:'] : ['https:']
  if (!parsed || !schemes.includes(parsed.protocol))
    throw new Error(`KEYWARD_SECRET_SCANNING_KEYS_URL must be an https URL, got ${url}`)
  return parsed.href
}

/**
 * SMTP_URL (`smtp://` or `smtps://`, credentials in the URL as `user:password@`) and KEYWARD_MAIL_FROM, both or
 * neither. The operator configures the host, so it is trusted as given (not judged like a webhook's).
 */
function mail(env: NodeJS.ProcessEnv): Config['mail'] {
  const smtpUrl = env.SMTP_URL
  const from = env.KEYWARD_MAIL_FROM
  if (!smtpUrl && !from) return undefined
  if (!smtpUrl) throw new Error('KEYWARD_MAIL_FROM is set without SMTP_URL')
  const parsed = URL.canParse(smtpUrl) ? new URL(smtpUrl) : undefined
  if (!parsed || !['smtp:', 'smtps:'].includes(parsed.protocol) || !parsed.hostname)
    throw new Error('SMTP_URL must be an smtp:// or smtps:// URL')
  if (!from || !/^[^\s@<>]+@[^\s@<>]+$|<[^\s@<>]+@[^\s@<>]+>$/.test(from.trim()))
    throw new Error('KEYWARD_MAIL_FROM must be set to a sender address with SMTP_URL')
  return { smtpUrl, from: from.trim() }
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
