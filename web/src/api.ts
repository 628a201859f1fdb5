/**
 * Typed client of the dashboard API (docs/dashboard-api.md). Session cookie only; every state-changing request
 * carries the CSRF token from `GET /csrf`, fetched once and again after sign-in, sign-out or a CSRF refusal.
 */

// ---- Types, as in docs/dashboard-api.md ----

export type Role = 'owner' | 'member' | 'viewer'
export type Permission =
  | 'settings.manage'
  | 'invites.manage'
  | 'roles.manage'
  | 'billing.manage'
  | 'members.manage'
export type Plan = 'free' | 'plus' | 'pro' | 'enterprise'

export interface User {
  id: string
  email: string
  name: string
}

export interface AccountSummary {
  id: string
  name: string
  slug: string
  plan: Plan
  role: Role
  permissions: Permission[]
  rateLimitPerMinute: number
}

export interface Me {
  user: User
  accounts: AccountSummary[]
}

export interface Project {
  id: string
  name: string
  createdAt: number
  keyCount: number
}

export interface Member {
  userId: string
  email: string
  name: string
  role: Role
  createdAt: number
}

export interface Invitation {
  id: string
  email: string
  role: Role
  createdAt: number
  expiresAt: number
  invitedBy: { id: string; name: string; email: string } | null
}

export interface InvitationPreview {
  accountName: string
  email: string
  role: Role
  expiresAt: number
}

export interface HistoryEvent {
  id: string
  at: number
  action: string
  targetType: string
  targetId: string
  actor: { kind: 'user' | 'operator' | 'key'; id: string | null; label: string }
  details: Record<string, unknown>
}

export type KeyStatus = 'active' | 'expired' | 'revoked'

export interface KeyRow {
  id: string
  name: string
  prefix: string
  projectId: string
  projectName: string
  status: KeyStatus
  scopes: string[] | null
  expiresAt: number | null
  lastUsedAt: number | null
  createdAt: number
  revokedAt: number | null
}

export type KeySort = 'created' | 'name' | 'project' | 'status' | 'expires' | 'lastUsed'
export type SortOrder = 'asc' | 'desc'
export type ExpirationChoice = 'never' | '30d' | '60d' | '90d' | '180d' | '1y'

export interface KeyListParams {
  projectId?: string | undefined
  /** Name contains it, or prefix starts with it. */
  search?: string | undefined
  hideRevoked?: boolean | undefined
  sort?: KeySort | undefined
  order?: SortOrder | undefined
  page?: number | undefined
  pageSize?: number | undefined
}

export interface KeyPage {
  data: KeyRow[]
  meta: { page: number; pageSize: number; total: number }
}

export interface WebhookRow {
  id: string
  projectId: string
  projectName: string
  url: string
  events: string[]
  active: boolean
  createdAt: number
  updatedAt: number
}

export interface WebhookAttemptRow {
  id: string
  deliveryId: string
  event: string
  attempt: number
  at: number
  statusCode: number | null
  durationMs: number
  error: string | null
}

export type StatusClass = '2xx' | '4xx' | '429' | '5xx'

export type ActivityReason =
  | 'missing_key'
  | 'malformed'
  | 'bad_checksum'
  | 'unknown_key'
  | 'revoked'
  | 'expired'
  | 'exposed'
  | 'disabled'
  | 'previous_secret'
  | 'wrong_project'
  | 'plan'
  | 'missing_scope'
  | 'ip_not_allowed'
  | 'rate_limited'

export interface ActivityRow {
  id: string
  at: number
  projectId: string | null
  projectName: string | null
  keyId: string | null
  keyName: string | null
  keyPrefix: string | null
  method: string
  route: string | null
  path: string
  status: number
  scope: string | null
  latencyMs: number
  errorCode: string | null
  rateLimited: boolean
  reason: ActivityReason | null
  requestedProjectId: string | null
}

export interface ActivityDetail extends ActivityRow {
  requestId: string | null
  rpcId: string | null
  clientIp: string | null
  userAgent: string | null
}

export interface ActivityFilters {
  keyId?: string | undefined
  projectId?: string | undefined
  statusClass?: StatusClass | undefined
  status?: number | undefined
  route?: string | undefined
  reason?: ActivityReason | undefined
  from?: number | undefined
  to?: number | undefined
}

export interface HistoryFilters {
  targetType?: string | undefined
  targetId?: string | undefined
  action?: string | undefined
  actor?: string | undefined
}

export interface ActivityPage {
  data: ActivityRow[]
  meta: { nextBefore: string | null }
}

/** A key's usage over 30 UTC days, for the key drawer's Usage tab. */
export interface KeyUsageDetails {
  from: number
  to: number
  days: Array<{ day: string; requests: number; errors: number }>
  requests: number
  errors: number
  errorRate: number
  p50Ms: number | null
  p95Ms: number | null
  topRoutes: Array<{ method: string; route: string | null; requests: number; errors: number }>
  lastUsedAt: number | null
  unusedFor30Days: boolean
}

export interface ActivityBucket {
  start: number
  '2xx': number
  '4xx': number
  '429': number
  '5xx': number
}

export interface ActivitySeries {
  data: ActivityBucket[]
  meta: { bucketMs: number }
}

export interface KeyUsage {
  keyId: string
  keyName: string
  prefix: string
  projectName: string
  status: KeyStatus
  requests: number
  errors: number
  errorRate: number
  lastUsedAt: number | null
  unusedFor30Days: boolean
}

export interface Overview {
  account: AccountSummary
  projectCount: number
  keyCount: number
  activeKeyCount: number
  recentActivity: ActivityRow[]
}

// ---- Transport ----

/** An answer outside 2xx, with the envelope's code and message (`status` 0: the server could not be reached). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401
}

const base = '/api/dashboard'
let csrfToken: Promise<string> | null = null

/** Forgets the CSRF token, so that the next state-changing request fetches a fresh one. */
export function resetCsrfToken(): void {
  csrfToken = null
}

function currentCsrfToken(): Promise<string> {
  if (!csrfToken) {
    const pending = send('GET', '/csrf').then((body) => (body as { token: string }).token)
    pending.catch(() => {
      if (csrfToken === pending) csrfToken = null
    })
    csrfToken = pending
  }
  return csrfToken
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

async function send(method: Method, path: string, body?: unknown, csrf?: string): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (csrf !== undefined) headers['x-csrf-token'] = csrf
  let response: Response
  try {
    response = await fetch(base + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? null : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'network_error', 'Could not reach the server. Check your connection and try again.')
  }
  if (!response.ok) throw await errorFrom(response)
  if (response.status === 204) return undefined
  const text = await response.text()
  return text ? (JSON.parse(text) as unknown) : undefined
}

async function errorFrom(response: Response): Promise<ApiError> {
  let code = 'error'
  let message = `The server answered ${response.status} ${response.statusText}`.trim()
  try {
    const envelope = (await response.json()) as { error?: unknown; message?: unknown }
    if (typeof envelope.error === 'string') code = envelope.error
    if (typeof envelope.message === 'string' && envelope.message) message = envelope.message
  } catch {
    // Not JSON (a proxy's error page, say): keep the status line.
  }
  return new ApiError(response.status, code, message)
}

function isCsrfRefusal(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403 && /csrf/i.test(error.message)
}

async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  if (method === 'GET') return (await send(method, path)) as T
  try {
    return (await send(method, path, body, await currentCsrfToken())) as T
  } catch (error) {
    if (!isCsrfRefusal(error)) throw error
    // The token went stale (a new session, say): fetch a fresh one and try once more.
    resetCsrfToken()
    return (await send(method, path, body, await currentCsrfToken())) as T
  }
}

type QueryValue = string | number | boolean | null | undefined

function query(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue
    search.set(name, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

const id = encodeURIComponent

// ---- Endpoints ----

export const api = {
  // Session
  me: () => request<Me>('GET', '/me'),
  async signIn(input: { email: string; password: string }) {
    const result = await request<{ user: User }>('POST', '/auth/sign-in', input)
    resetCsrfToken()
    return result
  },
  async signUp(input: { name: string; email: string; password: string }) {
    const result = await request<{ user: User }>('POST', '/auth/sign-up', input)
    resetCsrfToken()
    return result
  },
  async signOut() {
    try {
      await request<void>('POST', '/auth/sign-out')
    } finally {
      resetCsrfToken()
    }
  },

  // Account
  overview: (accountId: string) => request<Overview>('GET', `/accounts/${id(accountId)}/overview`),
  projects: (accountId: string) => request<{ data: Project[] }>('GET', `/accounts/${id(accountId)}/projects`),
  createProject: (accountId: string, name: string) =>
    request<Project>('POST', `/accounts/${id(accountId)}/projects`, { name }),
  renameProject: (projectId: string, name: string) =>
    request<Project>('PATCH', `/projects/${id(projectId)}`, { name }),
  members: (accountId: string) => request<{ data: Member[] }>('GET', `/accounts/${id(accountId)}/members`),
  changeMemberRole: (accountId: string, userId: string, role: Role) =>
    request<Member>('PATCH', `/accounts/${id(accountId)}/members/${id(userId)}`, { role }),
  removeMember: (accountId: string, userId: string) =>
    request<void>('DELETE', `/accounts/${id(accountId)}/members/${id(userId)}`),
  invitations: (accountId: string) =>
    request<{ data: Invitation[] }>('GET', `/accounts/${id(accountId)}/invitations`),
  createInvitation: (accountId: string, input: { email: string; role: Role }) =>
    request<{ invitation: Invitation; token: string; link: string }>(
      'POST',
      `/accounts/${id(accountId)}/invitations`,
      input,
    ),
  revokeInvitation: (accountId: string, invitationId: string) =>
    request<void>('DELETE', `/accounts/${id(accountId)}/invitations/${id(invitationId)}`),
  invitation: (token: string) => request<InvitationPreview>('GET', `/invitations/${id(token)}`),
  acceptInvitation: (token: string) =>
    request<{ account: AccountSummary }>('POST', `/invitations/${id(token)}/accept`),
  history: (accountId: string, params: HistoryFilters & { limit?: number; before?: string | null } = {}) =>
    request<{ data: HistoryEvent[]; meta: { nextBefore: string | null } }>(
      'GET',
      `/accounts/${id(accountId)}/history${query({ ...params })}`,
    ),

  // API keys
  keys: (accountId: string, params: KeyListParams = {}) =>
    request<KeyPage>(
      'GET',
      `/accounts/${id(accountId)}/keys${query({ ...params, hideRevoked: params.hideRevoked || undefined })}`,
    ),
  createKey: (
    accountId: string,
    input: { projectId: string; name: string; expires: ExpirationChoice; scopes: string[] | null },
  ) => request<{ key: KeyRow; rawKey: string }>('POST', `/accounts/${id(accountId)}/keys`, input),
  key: (keyId: string) => request<{ key: KeyRow; history: HistoryEvent[] }>('GET', `/keys/${id(keyId)}`),
  keyUsage: (keyId: string) => request<{ data: KeyUsageDetails }>('GET', `/keys/${id(keyId)}/usage`),
  updateKeyScopes: (keyId: string, scopes: string[] | null) =>
    request<KeyRow>('PATCH', `/keys/${id(keyId)}/scopes`, { scopes }),
  revokeKey: (keyId: string) => request<KeyRow>('POST', `/keys/${id(keyId)}/revoke`),

  // Webhooks
  webhooks: (accountId: string, hideInactive: boolean) =>
    request<{ data: WebhookRow[] }>(
      'GET',
      `/accounts/${id(accountId)}/webhooks${query({ hideInactive: hideInactive || undefined })}`,
    ),
  createWebhook: (projectId: string, input: { url: string; events: string[] }) =>
    request<{ webhook: WebhookRow; secret: string }>('POST', `/projects/${id(projectId)}/webhooks`, input),
  rotateWebhookSecret: (webhookId: string) =>
    request<{ webhook: WebhookRow; secret: string }>('POST', `/webhooks/${id(webhookId)}/rotate-secret`),
  deleteWebhook: (webhookId: string) => request<void>('DELETE', `/webhooks/${id(webhookId)}`),
  webhookAttempts: (webhookId: string) =>
    request<{ data: WebhookAttemptRow[] }>('GET', `/webhooks/${id(webhookId)}/attempts`),

  // Agent Activity
  activity: (accountId: string, filters: ActivityFilters & { limit?: number; before?: string | null }) =>
    request<ActivityPage>('GET', `/accounts/${id(accountId)}/activity${query({ ...filters })}`),
  activitySeries: (accountId: string, filters: ActivityFilters) =>
    request<ActivitySeries>('GET', `/accounts/${id(accountId)}/activity/series${query({ ...filters })}`),
  activityDetail: (accountId: string, activityId: string) =>
    request<ActivityDetail>('GET', `/accounts/${id(accountId)}/activity/${id(activityId)}`),
  activityKeys: (accountId: string) =>
    request<{ data: KeyUsage[] }>('GET', `/accounts/${id(accountId)}/activity/keys`),

  // Exports: plain links, so that the browser streams the download to disk instead of holding it in memory
  activityExportUrl: (accountId: string, filters: ActivityFilters, format: 'csv' | 'ndjson') =>
    `${base}/accounts/${id(accountId)}/activity/export${query({ ...filters, format })}`,
  historyExportUrl: (accountId: string, format: 'csv' | 'ndjson') =>
    `${base}/accounts/${id(accountId)}/history/export${query({ format })}`,
}
