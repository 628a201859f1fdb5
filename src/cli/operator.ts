import { keyPolicyOf } from '../core/account-key-policy.ts'
import { notFound } from '../core/errors.ts'
import { keyStatusUnderPolicy } from '../core/key-policy.ts'
import type { Keyward } from '../main.ts'
import { iso, printJson, table } from './output.ts'

/** `keyward account list`: every account of this host, which only the operator sees whole. */
export async function listAccounts(keyward: Keyward, o: { json?: boolean }) {
  const accounts = await keyward.storage.accounts.listAll()
  if (o.json) return printJson(accounts)
  if (accounts.length === 0) return void process.stdout.write('No accounts.\n')
  const rows = accounts.map((a) => [a.id, a.name, a.slug, a.plan, iso(a.createdAt)])
  process.stdout.write(table(['ID', 'NAME', 'SLUG', 'PLAN', 'CREATED'], rows))
}

/** The account, or `Account not found` (exit 1): the CLI acts as the operator, who passes every membership check. */
export async function requireAccount(keyward: Keyward, accountId: string) {
  const account = await keyward.storage.accounts.findById(accountId)
  if (!account) throw notFound('Account')
  return account
}

export async function listProjects(keyward: Keyward, o: { account: string; json?: boolean }) {
  await requireAccount(keyward, o.account)
  const projects = await keyward.storage.projects.listByAccount(o.account)
  if (o.json) return printJson(projects)
  if (projects.length === 0) return void process.stdout.write('No projects.\n')
  const rows = projects.map((p) => [p.id, p.name, iso(p.createdAt)])
  process.stdout.write(table(['ID', 'NAME', 'CREATED'], rows))
}

/** `keyward key show KEY_ID`: everything stored about a key but its hash; the raw key is never stored. */
export async function showKey(keyward: Keyward, o: { json?: boolean }, keyId: string) {
  const key = await keyward.storage.keys.findById(keyId)
  if (!key) throw notFound('Key')
  const project = await keyward.storage.projects.findById(key.projectId)
  const { maxLifetimeDays } = await keyPolicyOf(keyward.storage, key.accountId)
  const status = keyStatusUnderPolicy(key, maxLifetimeDays, keyward.clock())
  const shown = { ...key, projectName: project?.name ?? null, status }
  if (o.json) return printJson(shown)
  process.stdout.write(describeKey(shown))
}

export function describeKey(key: {
  id: string
  name: string
  prefix: string
  projectId: string
  projectName: string | null
  accountId: string
  status: string
  scopes: readonly string[] | null
  expiresAt: number | null
  revokedAt: number | null
  lastUsedAt: number | null
  createdAt: number
  disabledAt?: number | null
  allowedIps?: readonly string[]
  rateLimitPerMinute?: number | null
  description?: string | null
  tags?: readonly string[]
  rotatedAt?: number | null
  previousKeyValidUntil?: number | null
}): string {
  const lines: Array<[string, string]> = [
    ['Key', `${key.name} (${key.id})`],
    ['Prefix', key.prefix],
    ['Project', `${key.projectName ?? '?'} (${key.projectId})`],
    ['Account', key.accountId],
    ['Status', key.status],
    ['Scopes', key.scopes === null ? 'full access' : key.scopes.join(',')],
    ['Expires', iso(key.expiresAt)],
    ['Revoked', iso(key.revokedAt)],
    ['Last used', iso(key.lastUsedAt)],
    ['Created', iso(key.createdAt)],
    ['Allowed IPs', key.allowedIps?.length ? key.allowedIps.join(',') : 'any'],
    ['Rate limit', key.rateLimitPerMinute == null ? "the plan's" : `${key.rateLimitPerMinute}/min`],
    ['Tags', key.tags?.length ? key.tags.join(',') : 'none'],
    ['About', key.description ?? ''],
    ...(key.rotatedAt
      ? ([
          ['Rolled', iso(key.rotatedAt)],
          ['Grace end', iso(key.previousKeyValidUntil ?? null)],
        ] as Array<[string, string]>)
      : []),
  ]
  return lines.map(([label, value]) => `${`${label}:`.padEnd(13)}${value}\n`).join('')
}
