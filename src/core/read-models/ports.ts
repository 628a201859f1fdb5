import type { ActivityEntry } from '../activity.ts'
import type { ActivityReason } from '../activity-reason.ts'
import type { ApiKeyListItem, Instant, ManagementEvent } from '../model.ts'
import type { Webhook } from '../webhooks.ts'

/**
 * Read models of the dashboard: lists across an account, joined and paged in the database. They only read; every
 * change still goes through the use-cases and their stores.
 */
export type KeySort = 'created' | 'name' | 'project' | 'status' | 'expires' | 'lastUsed'

export interface KeyPageQuery {
  accountId: string
  projectId?: string
  /** Keys whose name or description contains it, whose prefix or a tag starts with it, ignoring case. */
  search?: string
  hideRevoked: boolean
  sort: KeySort
  order: 'asc' | 'desc'
  offset: number
  limit: number
  /** Status is derived from the clock, so sorting by it needs "now". */
  now: Instant
  /** Keys created before it sort as expired (the account key policy's maximum lifetime); default: none do. */
  activeSince?: Instant
}

export type KeyRowData = Omit<ApiKeyListItem, 'status'>

export interface KeyListing {
  page(query: KeyPageQuery): Promise<{ rows: KeyRowData[]; total: number }>
  /** `activeSince`: keys created before it count as expired (the account key policy's maximum lifetime). */
  counts(accountId: string, now: Instant, activeSince?: Instant): Promise<{ total: number; active: number }>
  /** Keys not revoked, per project. */
  countsByProject(accountId: string): Promise<Map<string, number>>
  /** For each of these keys, its last request made with its previous secret since its last rotation, if any. */
  previousSecretLastUse(accountId: string, keyIds: readonly string[]): Promise<Map<string, Instant>>
}

export type StatusClass = '2xx' | '4xx' | '429' | '5xx'
export const statusClasses: readonly StatusClass[] = ['2xx', '4xx', '429', '5xx']

export interface ActivityFilter {
  accountId: string
  keyId?: string
  projectId?: string
  statusClass?: StatusClass
  /** The route pattern, or the MCP tool's name. */
  route?: string
  /** One exact status code. */
  status?: number
  reason?: ActivityReason
  from: Instant
  to: Instant
}

/**
 * The hourly and 12-hour rollups count by account, key, project and status class only; other filters need the
 * rollups by request shape and reason (activity_hourly_shapes, activity_half_day_shapes), which are larger.
 */
export const needsShapeRollup = (filter: ActivityFilter): boolean =>
  filter.route !== undefined || filter.status !== undefined || filter.reason !== undefined

export interface ActivitySearch extends Omit<ActivityFilter, 'accountId'> {
  /** An account's rows; `null`: the rows no key was identified for, which belong to no account; absent: all. */
  accountId?: string | null
}

export interface ActivityRowData extends ActivityEntry {
  projectName: string | null
  keyName: string | null
  keyPrefix: string | null
  /**
   * When the credential was an OAuth grant (issue 17): the client and the user it acted for. Filled after the query
   * (core/read-models/activity-grants.ts); absent or null for keys.
   */
  grant?: ActivityGrant | null
}

export interface ActivityGrant {
  id: string
  clientName: string
  /** null: the user was deleted since. */
  userEmail: string | null
}

export interface KeyUsageData {
  keyId: string
  requests: number
  errors: number
  lastAt: Instant
}

export interface ActivityLog {
  /** Newest first; `before` is the last row of the previous page (the list is ordered by time, then id). */
  search(
    filter: ActivitySearch,
    page: { limit: number; before?: { at: Instant; id: string } },
  ): Promise<ActivityRowData[]>
  /** One row; `accountId`, when the row must be that account's, lets the store find it through the account's rows. */
  find(id: string, accountId?: string): Promise<ActivityRowData | undefined>
  /** Request counts per bucket start and status class. */
  series(
    filter: ActivityFilter,
    bucketMs: number,
  ): Promise<Array<{ start: Instant; statusClass: StatusClass; count: number }>>
  usageByKey(accountId: string, since: Instant): Promise<KeyUsageData[]>
}

export interface KeyUsageDayData {
  /** The day's start (UTC midnight). */
  day: Instant
  requests: number
  /** Requests answered with a status of 400 or more. */
  errors: number
  lastAt: Instant
  /** Requests per latency bucket (see core/latency-histogram.ts), and the slowest latency. */
  latencyCounts: number[]
  slowestMs: number
}

export interface RouteUsageData {
  method: string
  /** The route pattern or MCP tool name; null for requests no route matched. */
  route: string | null
  requests: number
  errors: number
}

/** One key's usage, read from its hourly rollup, never from raw rows. */
export interface KeyUsageLog {
  /** Per UTC day in [from, to), both whole hours; days without requests are left out. */
  byDay(keyId: string, range: { from: Instant; to: Instant }): Promise<KeyUsageDayData[]>
  /** The most requested endpoints in [from, to), most first. */
  topRoutes(keyId: string, range: { from: Instant; to: Instant }, limit: number): Promise<RouteUsageData[]>
}

export interface HistoryQuery {
  accountId: string
  targetType?: ManagementEvent['targetType']
  targetId?: string
  action?: string
  /** Who acted: a user's or key's id, or `operator`. */
  actor?: string
  /** Inclusive bounds on the event's time (exports); all of it when absent. */
  from?: Instant
  to?: Instant
  limit: number
  /** The last event of the previous page (newest first, by time, then id). */
  before?: { at: Instant; id: string }
}

export interface HistoryLog {
  list(query: HistoryQuery): Promise<ManagementEvent[]>
  /** Display labels (name or email) of the users who acted. */
  userLabels(userIds: readonly string[]): Promise<Map<string, string>>
}

export interface WebhookRowData extends Webhook {
  projectName: string
}

export interface WebhookAttemptData {
  id: string
  deliveryId: string
  event: string
  attempt: number
  at: Instant
  statusCode: number | null
  durationMs: number
  error: string | null
}

export interface WebhookListing {
  listByAccount(accountId: string, options: { hideInactive: boolean }): Promise<WebhookRowData[]>
  findRow(webhookId: string): Promise<(WebhookRowData & { accountId: string }) | undefined>
  attempts(webhookId: string, limit: number): Promise<WebhookAttemptData[]>
}

export interface ReadModels {
  keys: KeyListing
  activity: ActivityLog
  keyUsage: KeyUsageLog
  history: HistoryLog
  webhooks: WebhookListing
}
