import { requireMember } from '../access.ts'
import { badRequest } from '../errors.ts'
import { type ExportFormat, type ExportRecord, encodeExport } from '../export-format.ts'
import type { Actor, Instant } from '../model.ts'
import { withGrantLabels } from './activity-grants.ts'
import type { ReadModelDeps } from './deps.ts'
import { labelEvents } from './history.ts'
import type { ActivityRowData, ActivitySearch } from './ports.ts'

/**
 * Rows per read-model query. Memory stays bounded by one page whatever the export's length: each page is asked for
 * by keyset (the last row's time and id), never by offset, so page 10,000 costs what page 1 does.
 */
export const exportPageSize = 1000

const isoOrNull = (at: Instant | null) => (at === null ? null : new Date(at).toISOString())

/** The fields of a row opened in the dashboard (its detail), with the time as ISO 8601 to the millisecond. */
export const activityExportColumns = [
  'id',
  'at',
  'accountId',
  'projectId',
  'projectName',
  'keyId',
  'keyName',
  'keyPrefix',
  'method',
  'route',
  'path',
  'status',
  'reason',
  'requestedProjectId',
  'scope',
  'latencyMs',
  'errorCode',
  'rateLimited',
  'requestId',
  'rpcId',
  'clientIp',
  'userAgent',
  /** An OAuth grant's client and user (issue 17); empty for a key's rows. Last, so older columns keep their place. */
  'grantClientName',
  'grantUserEmail',
] as const

export function activityExportRecord(row: ActivityRowData): ExportRecord {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    accountId: row.accountId,
    projectId: row.projectId,
    projectName: row.projectName,
    keyId: row.keyId,
    keyName: row.keyName,
    keyPrefix: row.keyPrefix,
    method: row.method,
    route: row.route,
    path: row.path,
    status: row.status,
    reason: row.reason,
    requestedProjectId: row.requestedProjectId,
    scope: row.scope,
    latencyMs: row.latencyMs,
    errorCode: row.errorCode,
    rateLimited: row.rateLimited,
    requestId: row.requestId,
    rpcId: row.rpcId,
    clientIp: row.clientIp,
    userAgent: row.userAgent,
    grantClientName: row.grant?.clientName ?? null,
    grantUserEmail: row.grant?.userEmail ?? null,
  }
}

export const historyExportColumns = [
  'id',
  'at',
  'accountId',
  'action',
  'targetType',
  'targetId',
  'actorKind',
  'actorId',
  'actorLabel',
  'details',
] as const

/** Parses `--since`/`--until` and the like: ISO 8601 (a date, or a date and time); a clear 400 otherwise. */
export function parseInstant(name: string, value: string | undefined): Instant | undefined {
  if (value === undefined) return undefined
  // Date.parse accepts many spellings ("1", "March 7"); an export's bounds must mean one thing.
  const at = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
    ? Date.parse(value)
    : Number.NaN
  if (Number.isNaN(at))
    throw badRequest(`Invalid ${name} ${value}: an ISO 8601 date or time, e.g. 2026-11-01T00:00:00Z`)
  return at
}

export interface ExportRange {
  /** Inclusive; the beginning of time when absent. */
  from?: Instant
  /** Inclusive; now when absent. */
  to?: Instant
}

function range(input: ExportRange, now: Instant): { from: Instant; to: Instant } {
  const from = input.from ?? 0
  const to = input.to ?? now
  if (from > to) throw badRequest('Invalid range: since is after until')
  return { from, to }
}

export interface ExportStream {
  /** The file's text, a page at a time (see `encodeExport`). */
  chunks: AsyncGenerator<string>
}

/**
 * Agent Activity of an account as a file, newest first, filtered like the page. Access is checked, and the range
 * validated, before the first byte, so that a refusal is an ordinary error answer and not a broken download.
 */
export async function exportActivity(
  deps: ReadModelDeps,
  actor: Actor,
  input: Omit<ActivitySearch, 'accountId' | 'from' | 'to'> &
    ExportRange & { accountId: string; format: ExportFormat; pageSize?: number },
): Promise<ExportStream> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  const { format, pageSize = exportPageSize, from, to, ...filter } = input
  const bounds = range({ from, to }, deps.clock())
  async function* pages() {
    let before: { at: Instant; id: string } | undefined
    for (;;) {
      // The upper bound moves down to the cursor's time as well: the `(at, id) < cursor` test alone is not one an
      // index range can use, so every page would walk past all the rows before it again (quadratic at 10 M rows).
      const search: ActivitySearch = { ...filter, from: bounds.from, to: before?.at ?? bounds.to }
      const rows = await withGrantLabels(
        deps.storage,
        await deps.views.activity.search(search, { limit: pageSize, before }),
      )
      yield rows.map(activityExportRecord)
      const last = rows.at(-1)
      if (rows.length < pageSize || !last) return
      before = { at: last.at, id: last.id }
    }
  }
  return { chunks: encodeExport(pages(), format, activityExportColumns) }
}

/** Management history of an account as a file, newest first: who changed which key, member, role or webhook. */
export async function exportHistory(
  deps: ReadModelDeps,
  actor: Actor,
  input: ExportRange & { accountId: string; format: ExportFormat; pageSize?: number },
): Promise<ExportStream> {
  await requireMember(deps.storage.memberships, actor, input.accountId, 'Account')
  const { accountId, format, pageSize = exportPageSize } = input
  const bounds = range(input, deps.clock())
  async function* pages() {
    let before: { at: Instant; id: string } | undefined
    for (;;) {
      const to = before?.at ?? bounds.to // as for activity: an index range down to the cursor
      const events = await deps.views.history.list({
        accountId,
        from: bounds.from,
        to,
        limit: pageSize,
        before,
      })
      const labelled = await labelEvents(deps.views.history, events)
      yield labelled.map(
        (e): ExportRecord => ({
          id: e.id,
          at: isoOrNull(e.at),
          accountId,
          action: e.action,
          targetType: e.targetType,
          targetId: e.targetId,
          actorKind: e.actor.kind,
          actorId: e.actor.id,
          actorLabel: e.actor.label,
          details: e.details,
        }),
      )
      const last = events.at(-1)
      if (events.length < pageSize || !last) return
      before = { at: last.at, id: last.id }
    }
  }
  return { chunks: encodeExport(pages(), format, historyExportColumns) }
}
