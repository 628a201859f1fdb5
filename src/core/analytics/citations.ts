import { z } from 'zod'
import { requireProjectAccess } from '../access.ts'
import type { Actor } from '../model.ts'
import {
  type AnalyticsDeps,
  classificationParam,
  pageParams,
  platformParam,
  topicIdParam,
  trackingScope,
  windowDaysParam,
  type windowQuery,
} from './inputs.ts'
import { describeWindow, ratio } from './window.ts'

export const citationListQuery = z.object({
  windowDays: windowDaysParam,
  platform: platformParam,
  topicId: topicIdParam,
  classification: classificationParam,
  ...pageParams,
})
type ListQuery = z.output<typeof citationListQuery>

const pagination = (page: number, pageSize: number, totalCount: number) => ({
  page,
  pageSize,
  totalCount,
  totalPages: Math.ceil(totalCount / pageSize),
})

async function listScope(deps: AnalyticsDeps, actor: Actor, input: { projectId: string } & ListQuery) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'citations.read', write: false })
  const { window, filter } = await trackingScope(deps, input.projectId, input)
  return {
    window,
    filter: { ...filter, ...(input.classification ? { classification: input.classification } : {}) },
    page: { offset: (input.page - 1) * input.pageSize, limit: input.pageSize },
  }
}

export async function getCitationStats(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string } & z.output<typeof windowQuery>,
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'citations.read', write: false })
  const { window, filter } = await trackingScope(deps, input.projectId, input)
  const totals = await deps.storage.tracking.citationTotals(filter)
  const { runs } = await deps.storage.tracking.totals(filter)
  const c = totals.citations
  const total = c.primary + c.competitor + c.other
  return {
    window: describeWindow(window),
    stats: {
      totalCitations: total,
      primaryCitations: c.primary,
      competitorCitations: c.competitor,
      otherCitations: c.other,
      primaryShare: ratio(c.primary, total),
      uniquePages: totals.uniquePages,
      uniqueDomains: totals.uniqueDomains,
      totalRuns: runs,
      citationsPerRun: ratio(total, runs),
    },
  }
}

export async function getTopPages(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string } & ListQuery,
) {
  const { window, filter, page } = await listScope(deps, actor, input)
  const { rows, totalCount } = await deps.storage.tracking.topPages(filter, page)
  return {
    window: describeWindow(window),
    pages: rows.map(({ avgRank, ...row }) => ({ ...row, avgPosition: avgRank })),
    pagination: pagination(input.page, input.pageSize, totalCount),
  }
}

export async function getTopDomains(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string } & ListQuery,
) {
  const { window, filter, page } = await listScope(deps, actor, input)
  const { rows, totalCount } = await deps.storage.tracking.topDomains(filter, page)
  const totals = await deps.storage.tracking.citationTotals(filter)
  const all = totals.citations.primary + totals.citations.competitor + totals.citations.other
  return {
    window: describeWindow(window),
    domains: rows.map((row) => ({ ...row, share: ratio(row.count, all) })),
    pagination: pagination(input.page, input.pageSize, totalCount),
  }
}
