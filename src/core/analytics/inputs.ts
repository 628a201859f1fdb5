import { z } from 'zod'
import type { Clock } from '../clock.ts'
import { notFound } from '../errors.ts'
import type { Storage } from '../ports.ts'
import { actionStatuses, classifications, platforms } from './model.ts'
import { type WindowDays, windowEndingToday } from './window.ts'

export interface AnalyticsDeps {
  storage: Storage
  clock: Clock
}

/**
 * Query parameters shared by REST and MCP; each is validated here so a bad value is a 400 naming it. Query objects
 * are not strict: REST ignores parameters it does not know (clients add cache-busters), MCP tools stay strict.
 */
// The query string arrives as text: coerced, then one of the two windows. The JSON Schema of a coercion would say
// only "number", so the enum is stated for OpenAPI and the MCP tools' input schemas.
const windowDaysValue = z.coerce
  .number()
  .pipe(z.literal([30, 90]))
  .meta({ type: 'integer', enum: [30, 90] })
const windowDaysText = 'Length of the window in days, 30 or 90; the window ends today (UTC) and includes it'
export const windowDaysParam = windowDaysValue.default(30).describe(windowDaysText)
/** For queries that also take an older alias of `windowDays`: absent means "not given", not 30. */
export const optionalWindowDaysParam = windowDaysValue.optional().describe(`${windowDaysText}; default 30`)
export const platformParam = z.enum(platforms).optional().describe('Only runs on this AI platform')
export const topicIdParam = z.uuid().optional().describe('Only runs of this topic')
export const classificationParam = z
  .enum(classifications)
  .optional()
  .describe('Only citations of this classification: primary (your pages), competitor or other')
export const pageParams = {
  page: z.coerce.number().int().min(1).max(10_000).default(1).describe('1-based page number'),
  pageSize: z.coerce.number().int().min(1).max(100).default(25).describe('Rows per page, at most 100'),
}
export const actionStatusParam = z.enum(actionStatuses)

export const windowQuery = z.object({ windowDays: windowDaysParam })
export const trackingQuery = z.object({
  windowDays: windowDaysParam,
  platform: platformParam,
  topicId: topicIdParam,
})
export type TrackingQuery = z.output<typeof trackingQuery>

/** The window ending today and the tracking filter, with `topicId` checked to belong to the project. */
export async function trackingScope(
  deps: AnalyticsDeps,
  projectId: string,
  query: { windowDays: WindowDays | number; platform?: string; topicId?: string },
) {
  if (query.topicId !== undefined) {
    const topics = await deps.storage.tracking.listTopics(projectId)
    if (!topics.some((t) => t.id === query.topicId)) throw notFound('Topic')
  }
  const window = windowEndingToday(deps.clock(), query.windowDays)
  const filter = {
    projectId,
    from: window.from,
    to: window.to,
    ...(query.platform !== undefined ? { platform: query.platform } : {}),
    ...(query.topicId !== undefined ? { topicId: query.topicId } : {}),
  }
  return { window, filter }
}
