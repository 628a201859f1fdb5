import type { Account, ApiKeyListItem } from '../../../core/model.ts'
import { rateLimitPerMinute } from '../../../core/plans.ts'
import type { ActivityRowData } from '../../../core/read-models/ports.ts'
import { permissionsOf, type Role } from '../../../core/roles.ts'

/** The dashboard's JSON shapes (docs/dashboard-api.md). Never a hash, never a raw key. */
export const accountSummary = (account: Account, role: Role) => ({
  id: account.id,
  name: account.name,
  slug: account.slug,
  plan: account.plan,
  role,
  permissions: permissionsOf(role),
  rateLimitPerMinute: rateLimitPerMinute[account.plan],
})

export const keyRow = (key: ApiKeyListItem) => ({
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
})

export const activityRow = (row: ActivityRowData) => ({
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
})

/** A row opened: what the list shows, plus the request's id, the client and, for MCP, the JSON-RPC id. */
export const activityDetail = (row: ActivityRowData) => ({
  ...activityRow(row),
  requestId: row.requestId,
  rpcId: row.rpcId,
  clientIp: row.clientIp,
  userAgent: row.userAgent,
})
