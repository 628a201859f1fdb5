import { z } from 'zod'
import { requireProjectAccess } from '../access.ts'
import type { Actor } from '../model.ts'
import {
  type AnalyticsDeps,
  optionalWindowDaysParam,
  type TrackingQuery,
  trackingQuery,
  trackingScope,
} from './inputs.ts'
import type { TrackingFilter } from './ports.ts'
import { describeWindow, previousWindow, ratio, round2, round4, type WindowDays } from './window.ts'

export interface VisibilityMetrics {
  /** Brand mentions / (brand + competitor mentions), 0..1. */
  shareOfVoice: number
  /** Runs that mention the brand / runs, 0..1. */
  presenceRate: number
  brandMentions: number
  competitorMentions: number
  totalRuns: number
  /** Mean 1-based rank of the brand in the runs that ranked it; null when none did. */
  averagePosition: number | null
  citations: { total: number; primary: number; competitor: number; other: number }
}

export async function visibilityMetrics(
  deps: AnalyticsDeps,
  filter: TrackingFilter,
): Promise<VisibilityMetrics> {
  const t = await deps.storage.tracking.totals(filter)
  const c = t.citations
  return {
    shareOfVoice: ratio(t.brandMentions, t.brandMentions + t.competitorMentions),
    presenceRate: ratio(t.brandMentions, t.runs),
    brandMentions: t.brandMentions,
    competitorMentions: t.competitorMentions,
    totalRuns: t.runs,
    averagePosition: t.positionedRuns === 0 ? null : round2(t.positionSum / t.positionedRuns),
    citations: { total: c.primary + c.competitor + c.other, ...c },
  }
}

/**
 * DevTune's older docs give the heatmap `daysBack` (1..365) where the newer ones use `windowDays` (30 or 90); both
 * are accepted. `daysBack` picks the smallest window that covers it (1..30 → 30, 31..90 → 90); `windowDays` wins
 * when both are given. Keyward keeps no window longer than 90 days, so a larger `daysBack` is a 400.
 */
export const heatmapQuery = trackingQuery.omit({ topicId: true }).extend({
  windowDays: optionalWindowDaysParam,
  daysBack: z.coerce
    .number()
    .int()
    .min(1)
    .max(90)
    .optional()
    .describe('Older name of windowDays: 1..30 means the 30-day window, 31..90 the 90-day window')
    .meta({ deprecated: true }),
  groupBy: z
    .enum(['topic', 'prompt'])
    .default('topic')
    .describe('One row per topic (default; a topic averages its prompts) or per prompt'),
})

/** The window a heatmap query asks for, from `windowDays` or its older alias `daysBack`. */
export function heatmapWindowDays(query: {
  windowDays?: WindowDays | undefined
  daysBack?: number | undefined
}) {
  if (query.windowDays !== undefined) return query.windowDays
  if (query.daysBack !== undefined) return query.daysBack <= 30 ? 30 : 90
  return 30
}

export async function getVisibilitySummary(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string } & TrackingQuery,
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'visibility.read', write: false })
  const { window, filter } = await trackingScope(deps, input.projectId, input)
  return {
    window: describeWindow(window),
    filters: { platform: input.platform ?? null, topicId: input.topicId ?? null },
    ...(await visibilityMetrics(deps, filter)),
  }
}

export async function getVisibilityDiff(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string } & TrackingQuery,
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'visibility.read', write: false })
  const { window, filter } = await trackingScope(deps, input.projectId, input)
  const before = previousWindow(window)
  const current = await visibilityMetrics(deps, filter)
  const previous = await visibilityMetrics(deps, { ...filter, from: before.from, to: before.to })
  const position =
    current.averagePosition === null || previous.averagePosition === null
      ? null
      : round2(current.averagePosition - previous.averagePosition)
  return {
    current: { window: describeWindow(window), ...current },
    previous: { window: describeWindow(before), ...previous },
    delta: {
      shareOfVoice: round4(current.shareOfVoice - previous.shareOfVoice),
      presenceRate: round4(current.presenceRate - previous.presenceRate),
      brandMentions: current.brandMentions - previous.brandMentions,
      competitorMentions: current.competitorMentions - previous.competitorMentions,
      totalRuns: current.totalRuns - previous.totalRuns,
      averagePosition: position,
      citations: current.citations.total - previous.citations.total,
    },
  }
}

interface HeatmapCell {
  runs: number
  brandMentions: number
  presenceRate: number | null
}

export async function getVisibilityHeatmap(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string } & z.output<typeof heatmapQuery>,
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'visibility.read', write: false })
  const windowDays = heatmapWindowDays(input)
  const { window, filter } = await trackingScope(deps, input.projectId, { ...input, windowDays })
  const grid = await deps.storage.tracking.presenceGrid(filter, input.groupBy)
  const platforms = [...new Set(grid.map((g) => g.platform))].sort()
  const cellsOf = (key: string) => {
    const cells: Record<string, HeatmapCell> = {}
    for (const platform of platforms) {
      const hit = grid.find((g) => g.key === key && g.platform === platform)
      cells[platform] = {
        runs: hit?.runs ?? 0,
        brandMentions: hit?.mentions ?? 0,
        presenceRate: hit ? ratio(hit.mentions, hit.runs) : null,
      }
    }
    return cells
  }
  const base = { window: describeWindow(window), groupBy: input.groupBy, platforms }
  if (input.groupBy === 'topic') {
    const topics = await deps.storage.tracking.listTopics(input.projectId)
    return {
      ...base,
      topics: topics.map((t) => ({ topicId: t.id, topicName: t.name, platforms: cellsOf(t.id) })),
    }
  }
  const prompts = await deps.storage.tracking.listPrompts(input.projectId)
  return {
    ...base,
    prompts: prompts.map((p) => ({
      promptId: p.id,
      promptText: p.text,
      topicId: p.topicId,
      platforms: cellsOf(p.id),
    })),
  }
}
