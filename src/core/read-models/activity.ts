import { requireMember } from '../access.ts'
import { keyPolicyOf } from '../account-key-policy.ts'
import { badRequest } from '../errors.ts'
import { keyStatusUnderPolicy } from '../key-policy.ts'
import type { Actor, Instant, KeyStatus } from '../model.ts'
import { withGrantLabels } from './activity-grants.ts'
import type { ReadModelDeps } from './deps.ts'
import { unusedFor30Days } from './key-usage.ts'
import type { ActivityFilter, ActivityRowData, StatusClass } from './ports.ts'

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour

export interface ActivityQuery extends Omit<ActivityFilter, 'from' | 'to'> {
  from?: Instant
  to?: Instant
}

/** Without a time range: the last 24 hours. */
function resolve(query: ActivityQuery, now: Instant): ActivityFilter {
  const to = query.to ?? now
  const from = query.from ?? to - day
  if (from > to) throw badRequest('Invalid query parameters: from (after to)')
  return { ...query, to, from }
}

/** A page cursor names the last row shown, by the columns the list is ordered by: `<at>_<id>`. */
export function parseCursor(cursor: string): { at: Instant; id: string } {
  const match = /^(\d{1,16})_(.+)$/.exec(cursor)
  if (!match) throw badRequest('Invalid query parameters: before')
  return { at: Number(match[1]), id: match[2] as string }
}

export async function searchActivity(
  deps: ReadModelDeps,
  actor: Actor,
  input: ActivityQuery & { limit: number; before?: string },
): Promise<{ rows: ActivityRowData[]; nextBefore: string | null }> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  const { limit, before, ...query } = input
  const rows = await deps.views.activity.search(resolve(query, deps.clock()), {
    limit,
    before: before === undefined ? undefined : parseCursor(before),
  })
  return { rows: await withGrantLabels(deps.storage, rows), nextBefore: cursorAfter(rows, limit) }
}

/** The cursor of the next page, when this one was full. */
export function cursorAfter(rows: readonly ActivityRowData[], limit: number): string | null {
  const last = rows.at(-1)
  return rows.length === limit && last ? `${last.at}_${last.id}` : null
}

/** The smallest bucket that keeps the chart at 72 bars or fewer, whatever the span asked for. */
const bucketSizes = [minute, 5 * minute, 15 * minute, hour, 3 * hour, 6 * hour, 12 * hour, day, 7 * day]
export function bucketFor(spanMs: number): number {
  return bucketSizes.find((size) => spanMs / size <= 72) ?? Math.ceil(spanMs / 72 / day) * day
}

export type SeriesPoint = { start: Instant } & Record<StatusClass, number>

/** Requests per time bucket and status class, with empty buckets filled so that the chart's axis is even. */
export async function activitySeries(
  deps: ReadModelDeps,
  actor: Actor,
  input: ActivityQuery,
): Promise<{ points: SeriesPoint[]; bucketMs: number }> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  const filter = resolve(input, deps.clock())
  const bucketMs = bucketFor(filter.to - filter.from)
  const counts = await deps.views.activity.series(filter, bucketMs)
  const points = new Map<Instant, SeriesPoint>()
  const empty = (start: Instant): SeriesPoint => ({ start, '2xx': 0, '4xx': 0, '429': 0, '5xx': 0 })
  for (let start = Math.floor(filter.from / bucketMs) * bucketMs; start <= filter.to; start += bucketMs)
    points.set(start, empty(start))
  for (const { start, statusClass, count } of counts) {
    const point = points.get(start) ?? empty(start)
    point[statusClass] += count
    points.set(start, point)
  }
  return { points: [...points.values()].sort((a, b) => a.start - b.start), bucketMs }
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
  lastUsedAt: Instant | null
  unusedFor30Days: boolean
}

/** Per-key figures over the last 30 days; active keys idle that long are flagged as candidates to revoke. */
export async function keyUsage(
  deps: ReadModelDeps,
  actor: Actor,
  input: { accountId: string },
): Promise<KeyUsage[]> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  const now = deps.clock()
  const since = now - 30 * day
  const [usage, keys, { maxLifetimeDays }] = await Promise.all([
    deps.views.activity.usageByKey(input.accountId, since),
    deps.views.keys.page({
      accountId: input.accountId,
      hideRevoked: false,
      sort: 'lastUsed',
      order: 'desc',
      offset: 0,
      limit: 1000,
      now,
    }),
    keyPolicyOf(deps.storage, input.accountId),
  ])
  const byKey = new Map(usage.map((u) => [u.keyId, u]))
  return (
    keys.rows
      .map((key): KeyUsage => {
        const used = byKey.get(key.id)
        const requests = used?.requests ?? 0
        const errors = used?.errors ?? 0
        const lastUsedAt = Math.max(key.lastUsedAt ?? 0, used?.lastAt ?? 0) || null
        const status = keyStatusUnderPolicy(key, maxLifetimeDays, now)
        return {
          keyId: key.id,
          keyName: key.name,
          prefix: key.prefix,
          projectName: key.projectName,
          status,
          requests,
          errors,
          errorRate: requests === 0 ? 0 : errors / requests,
          lastUsedAt,
          unusedFor30Days: unusedFor30Days({ status, createdAt: key.createdAt }, lastUsedAt, now),
        }
      })
      // A revoked key matters here only while something still calls it.
      .filter((usage) => usage.status !== 'revoked' || usage.requests > 0)
      .sort((a, b) => b.requests - a.requests || (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0))
  )
}
