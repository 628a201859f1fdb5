import type { Account, ApiKeyListItem } from '../../../core/model.ts'
import { rateLimitPerMinute } from '../../../core/plans.ts'
import type { ActivityRowData } from '../../../core/read-models/ports.ts'
import { permissionsOf, type Role } from '../../../core/roles.ts'
import type { AccountSummary, ActivityDetail, ActivityRow, KeyRow } from './wire.ts'

/**
 * The dashboard's JSON rows, picked field by field from the core's records (never a hash, never a raw key). Typed
 * by wire.ts: a field added here and not there fails to compile.
 */
export const accountSummary = (account: Account, role: Role): AccountSummary => ({
  id: account.id,
  name: account.name,
  slug: account.slug,
  plan: account.plan,
  role,
  permissions: permissionsOf(role),
  rateLimitPerMinute: rateLimitPerMinute[account.plan],
})

/** A key as the table shows it, without who created it (the policy preview lists keys without that lookup). */
export const keyRowWithoutCreator = (key: ApiKeyListItem): Omit<KeyRow, 'creator'> => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  projectId: key.projectId,
  projectName: key.projectName,
  status: key.status,
  scopes: key.scopes,
  expiresAt: key.expiresAt,
  lastUsedAt: key.lastUsedAt,
  createdAt: key.createdAt,
  revokedAt: key.revokedAt,
  exposedAt: key.exposedAt,
  exposedUrl: key.exposedUrl,
  disabledAt: key.disabledAt,
  allowedIps: key.allowedIps,
  rateLimitPerMinute: key.rateLimitPerMinute,
  description: key.description,
  tags: key.tags,
  rotatedAt: key.rotatedAt,
  previousKeyValidUntil: key.previousKeyValidUntil,
  previousSecretLastUsedAt: key.previousSecretLastUsedAt ?? null,
})

export const keyRow = (key: ApiKeyListItem & { creator: string }): KeyRow => ({
  ...keyRowWithoutCreator(key),
  creator: key.creator,
})

export const activityRow = (row: ActivityRowData): ActivityRow => ({
  id: row.id,
  at: row.at,
  projectId: row.projectId,
  projectName: row.projectName,
  keyId: row.keyId,
  keyName: row.keyName,
  keyPrefix: row.keyPrefix,
  method: row.method,
  route: row.route,
  path: row.path,
  status: row.status,
  scope: row.scope,
  latencyMs: row.latencyMs,
  errorCode: row.errorCode,
  rateLimited: row.rateLimited,
  reason: row.reason,
  requestedProjectId: row.requestedProjectId,
  grant: row.grant ?? null,
})

/** A row opened: what the list shows, plus the request's id, the client and, for MCP, the JSON-RPC id. */
export const activityDetail = (row: ActivityRowData): ActivityDetail => ({
  ...activityRow(row),
  requestId: row.requestId,
  rpcId: row.rpcId,
  clientIp: row.clientIp,
  userAgent: row.userAgent,
})
