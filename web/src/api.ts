/**
 * Typed client of the dashboard API (docs/dashboard-api.md). Session cookie only; every state-changing request
 * carries the CSRF token from `GET /csrf`, fetched once and again after sign-in, sign-out or a CSRF refusal.
 */

// ---- Types: the server's response schemas (src/transport/http/dashboard/wire.ts), inferred ----

import type {
  AccountSummary,
  ActivityBucket,
  ActivityDetail,
  ActivityPage,
  ActivityReason,
  ActivityRow,
  ActivitySeries,
  CreatedInvitation,
  CreatedKey,
  DeletedTeam,
  GracePreset,
  HistoryPage,
  Invitation,
  InvitationPreview,
  KeyDetails,
  KeyNotices,
  KeyPage,
  KeyPolicy,
  KeyPolicyPreview,
  KeyRow,
  KeyUsage,
  KeyUsageDetails,
  Me,
  Member,
  Overview,
  Project,
  PublicInvitation,
  Role,
  ScopeGuide,
  TeamSettings,
  User,
  WebhookAttemptRow,
  WebhookRow,
  WebhookWithSecret,
} from '../../src/transport/http/dashboard/wire.ts'

export type * from '../../src/transport/http/dashboard/wire.ts'

/** An activity bucket's classes: `2xx`, `4xx`, `429`, `5xx`. */
export type StatusClass = Exclude<keyof ActivityBucket, 'start'>

// ---- Request parameters, as the routes' query schemas accept them ----

/** The per-key controls a manager may change (every field optional: only those given change). */
export interface KeyControlsInput {
  allowedIps?: string[]
  rateLimitPerMinute?: number | null
  description?: string | null
  tags?: string[]
}

export type KeySort = 'created' | 'name' | 'project' | 'status' | 'expires' | 'lastUsed'
export type SortOrder = 'asc' | 'desc'

export interface KeyListParams {
  projectId?: string | undefined
  /** Name contains it, or prefix starts with it. */
  search?: string | undefined
  /** The API Keys page's search box: the same matching as `search`. */
  q?: string | undefined
  hideRevoked?: boolean | undefined
  sort?: KeySort | undefined
  order?: SortOrder | undefined
  page?: number | undefined
  pageSize?: number | undefined
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

// ---- MCP OAuth (issue 17): hand-written until the server's wire schemas for them land ----

/** A scope of the 11 (`visibility.read` … `webhooks.write`). */
export type OAuthScope = string

/** An authorization request waiting for the signed-in user's consent (`GET /oauth/interactions/:uid`). */
export interface OAuthInteraction {
  uid: string
  /** The app asking: its registered name, and the host it sends the user back to (with the code). */
  client: { id: string; name: string; redirectHost: string; logoUri?: string | null }
  /** What the app asked for (may be empty: then the user picks freely). */
  requestedScopes: OAuthScope[]
  accessTokenLifetimeSeconds: number
  refreshTokenLifetimeSeconds?: number | null
  /** Every team the user belongs to, with the scopes their role there can grant and its projects. */
  accounts: {
    id: string
    name: string
    role: Role
    ceiling: OAuthScope[]
    projects: { id: string; name: string }[]
  }[]
}

/** Where the browser goes next: oidc-provider's resume URL, which redirects to the app. */
export interface OAuthRedirect {
  redirectTo: string
}

/** A grant of an OAuth client (a connected MCP app) on the API Keys page. */
export interface ConnectedApp {
  id: string
  clientId: string
  clientName: string
  redirectHost: string
  /** null: the member's user account was deleted since. */
  user: { id: string; email: string; name: string } | null
  project: { id: string; name: string }
  scopes: OAuthScope[]
  createdAt: number
  lastUsedAt: number | null
  revokedAt?: number | null
  /** `active` or `revoked` (anything else is shown as written). */
  status: string
}

/** The account policy's MCP switches: whether keys, and whether OAuth grants, may call `/api/mcp`. */
export interface McpPolicy {
  mcpKeys: boolean
  mcpOAuth: boolean
}

/** The MCP switches of a key policy, or null from a server that has none. */
export function mcpPolicyOf(policy: KeyPolicy): McpPolicy | null {
  const { mcpKeys, mcpOAuth } = policy as KeyPolicy & Partial<McpPolicy>
  return typeof mcpKeys === 'boolean' && typeof mcpOAuth === 'boolean' ? { mcpKeys, mcpOAuth } : null
}

/** On Agent Activity, the OAuth grant a request came through (null for a key). */
export interface ActivityGrant {
  id: string
  clientName: string
  /** null: the member's user account was deleted since. */
  userEmail: string | null
}

/** The grant of an activity row, read tolerantly: rows recorded before grants existed have no such field. */
export function grantOf(row: ActivityRow): ActivityGrant | null {
  return (row as ActivityRow & { grant?: ActivityGrant | null }).grant ?? null
}

export interface HistoryFilters {
  targetType?: string | undefined
  targetId?: string | undefined
  action?: string | undefined
  actor?: string | undefined
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
    request<CreatedInvitation>('POST', `/accounts/${id(accountId)}/invitations`, input),
  revokeInvitation: (accountId: string, invitationId: string) =>
    request<void>('DELETE', `/accounts/${id(accountId)}/invitations/${id(invitationId)}`),
  invitation: (token: string) => request<InvitationPreview>('GET', `/invitations/${id(token)}`),
  acceptInvitation: (token: string) =>
    request<{ account: AccountSummary }>('POST', `/invitations/${id(token)}/accept`),
  // Team settings
  teamSettings: (accountId: string) => request<TeamSettings>('GET', `/accounts/${id(accountId)}/settings`),
  updateTeamSettings: (accountId: string, input: { name?: string; slug?: string }) =>
    request<TeamSettings>('PATCH', `/accounts/${id(accountId)}/settings`, input),
  transferOwnership: (accountId: string, userId: string) =>
    request<TeamSettings>('POST', `/accounts/${id(accountId)}/transfer-ownership`, { userId }),
  deleteTeam: (accountId: string, confirmName: string) =>
    request<DeletedTeam>('DELETE', `/accounts/${id(accountId)}`, { confirmName }),
  regenerateInvitationLink: (accountId: string, invitationId: string) =>
    request<CreatedInvitation>('POST', `/accounts/${id(accountId)}/invitations/${id(invitationId)}/link`),
  publicInvitation: (token: string) => request<PublicInvitation>('GET', `/invitations/${id(token)}/preview`),
  history: (accountId: string, params: HistoryFilters & { limit?: number; before?: string | null } = {}) =>
    request<HistoryPage>('GET', `/accounts/${id(accountId)}/history${query({ ...params })}`),

  // API keys
  keys: (accountId: string, params: KeyListParams = {}) =>
    request<KeyPage>(
      'GET',
      `/accounts/${id(accountId)}/keys${query({ ...params, hideRevoked: params.hideRevoked || undefined })}`,
    ),
  createKey: (
    accountId: string,
    /** `expires`: a preset (never, 30d … 1y), a duration from 1h to 366d, or a date (2027-03-01). */
    input: { projectId: string; name: string; expires: string; scopes: string[] | null },
  ) => request<CreatedKey>('POST', `/accounts/${id(accountId)}/keys`, input),
  keyNotices: (accountId: string) =>
    request<{ data: KeyNotices }>('GET', `/accounts/${id(accountId)}/key-notices`),
  key: (keyId: string) => request<KeyDetails>('GET', `/keys/${id(keyId)}`),
  keyPolicy: (accountId: string) => request<KeyPolicy>('GET', `/accounts/${id(accountId)}/key-policy`),
  updateKeyPolicy: (accountId: string, change: Partial<KeyPolicy>) =>
    request<KeyPolicy>('PATCH', `/accounts/${id(accountId)}/key-policy`, change),
  updateMcpPolicy: (accountId: string, change: Partial<McpPolicy>) =>
    request<KeyPolicy>('PATCH', `/accounts/${id(accountId)}/key-policy`, change),
  previewKeyPolicy: (accountId: string, change: Partial<KeyPolicy>) =>
    request<KeyPolicyPreview>('POST', `/accounts/${id(accountId)}/key-policy/preview`, change),
  keyUsage: (keyId: string) => request<{ data: KeyUsageDetails }>('GET', `/keys/${id(keyId)}/usage`),
  updateKeyScopes: (keyId: string, scopes: string[] | null) =>
    request<KeyRow>('PATCH', `/keys/${id(keyId)}/scopes`, { scopes }),
  revokeKey: (keyId: string) => request<KeyRow>('POST', `/keys/${id(keyId)}/revoke`),
  scopeGuide: () => request<ScopeGuide>('GET', '/scopes'),
  updateKeyControls: (keyId: string, controls: KeyControlsInput) =>
    request<KeyRow>('PATCH', `/keys/${id(keyId)}/controls`, controls),
  setKeyDisabled: (keyId: string, disabled: boolean) =>
    request<KeyRow>('POST', `/keys/${id(keyId)}/${disabled ? 'disable' : 'enable'}`),
  revokeKeys: (accountId: string, keyIds: string[]) =>
    request<{ data: KeyRow[] }>('POST', `/accounts/${id(accountId)}/keys/revoke`, { keyIds }),
  rotateKey: (keyId: string, grace: GracePreset) =>
    request<CreatedKey>('POST', `/keys/${id(keyId)}/rotate`, { grace }),
  updateKeyExpiry: (keyId: string, expires: string) =>
    request<KeyRow>('PATCH', `/keys/${id(keyId)}/expiry`, { expires }),

  // MCP OAuth: consent, and connected apps (grants) beside the keys
  oauthInteraction: (uid: string) => request<OAuthInteraction>('GET', `/oauth/interactions/${id(uid)}`),
  consentOAuth: (uid: string, input: { projectId: string; scopes: OAuthScope[] }) =>
    request<OAuthRedirect>('POST', `/oauth/interactions/${id(uid)}/consent`, input),
  denyOAuth: (uid: string) => request<OAuthRedirect>('POST', `/oauth/interactions/${id(uid)}/deny`),
  connectedApps: (accountId: string) =>
    request<{ items: ConnectedApp[] }>('GET', `/accounts/${id(accountId)}/connected-apps`),
  revokeConnectedApp: (grantId: string) => request<unknown>('POST', `/connected-apps/${id(grantId)}/revoke`),

  // Webhooks
  webhooks: (accountId: string, hideInactive: boolean) =>
    request<{ data: WebhookRow[] }>(
      'GET',
      `/accounts/${id(accountId)}/webhooks${query({ hideInactive: hideInactive || undefined })}`,
    ),
  createWebhook: (projectId: string, input: { url: string; events: string[] }) =>
    request<WebhookWithSecret>('POST', `/projects/${id(projectId)}/webhooks`, input),
  rotateWebhookSecret: (webhookId: string) =>
    request<WebhookWithSecret>('POST', `/webhooks/${id(webhookId)}/rotate-secret`),
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
