import { z } from 'zod'
import { trackingQuery } from '../../core/analytics/inputs.ts'
import { heatmapQuery } from '../../core/analytics/visibility.ts'
import type { Services } from '../../core/services.ts'
import { visibilityMetricsSchema, windowSchema } from './analytics-schemas.ts'
import { keyedRoute } from './capability.ts'

const windowed = visibilityMetricsSchema.extend({ window: windowSchema })
const cell = z.object({
  runs: z.number().int(),
  brandMentions: z.number().int(),
  presenceRate: z.number().nullable(),
})

export function visibilityRoutes(analytics: Services['analytics']) {
  return [
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/visibility/summary',
      operationId: 'getVisibilitySummary',
      summary: 'Share of voice, presence rate, brand mentions, average position and citation totals',
      tool: {
        name: 'devtune_get_visibility_summary',
        description:
          'How visible the brand is in AI answers over the last 30 or 90 days (windowDays; the window ends today, UTC, ' +
          'inclusive): shareOfVoice (brand mentions / brand + competitor mentions, 0..1), presenceRate (share of ' +
          'tracked prompt runs mentioning the brand, 0..1), brandMentions, averagePosition (1 = first) and citation ' +
          'counts by classification. Optional filters: platform, topicId.',
      },
      scope: 'visibility.read',
      query: trackingQuery,
      response: windowed.extend({
        filters: z.object({ platform: z.string().nullable(), topicId: z.string().nullable() }),
      }),
      handle: ({ actor, projectId, query }) => analytics.visibilitySummary(actor, { projectId, ...query }),
    }),
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/visibility/diff',
      operationId: 'getVisibilityDiff',
      summary: 'The current window against the previous window of the same length, with deltas',
      tool: {
        name: 'devtune_get_visibility_diff',
        description:
          'Compares visibility metrics of the current window (windowDays 30 or 90, ending today) with the window of the ' +
          'same length just before it. Returns current, previous and delta (current minus previous; rates as 0..1 ' +
          'fractions, counts as integers, averagePosition in ranks where negative means better).',
      },
      scope: 'visibility.read',
      query: trackingQuery,
      response: z.object({
        current: windowed,
        previous: windowed,
        delta: z.object({
          shareOfVoice: z.number(),
          presenceRate: z.number(),
          brandMentions: z.number().int(),
          competitorMentions: z.number().int(),
          totalRuns: z.number().int(),
          averagePosition: z.number().nullable(),
          citations: z.number().int(),
        }),
      }),
      handle: ({ actor, projectId, query }) => analytics.visibilityDiff(actor, { projectId, ...query }),
    }),
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/visibility/heatmap',
      operationId: 'getVisibilityHeatmap',
      summary: 'Presence rate per topic (or prompt) and platform',
      tool: {
        name: 'devtune_get_visibility_heatmap',
        description:
          'A grid of presence rate (share of runs mentioning the brand, 0..1; null where nothing ran) per topic, or ' +
          'per prompt with groupBy=prompt, and per AI platform, over the last 30 or 90 days (windowDays). Shows ' +
          'where the brand is absent.',
      },
      scope: 'visibility.read',
      query: heatmapQuery,
      response: z.object({
        window: windowSchema,
        groupBy: z.enum(['topic', 'prompt']),
        platforms: z.array(z.string()),
        topics: z
          .array(
            z.object({ topicId: z.string(), topicName: z.string(), platforms: z.record(z.string(), cell) }),
          )
          .optional(),
        prompts: z
          .array(
            z.object({
              promptId: z.string(),
              promptText: z.string(),
              topicId: z.string(),
              platforms: z.record(z.string(), cell),
            }),
          )
          .optional(),
      }),
      handle: ({ actor, projectId, query }) => analytics.visibilityHeatmap(actor, { projectId, ...query }),
    }),
  ]
}
