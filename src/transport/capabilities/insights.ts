import { z } from 'zod'
import { competitiveQuery } from '../../core/analytics/competitive.ts'
import { windowQuery } from '../../core/analytics/inputs.ts'
import type { Services } from '../../core/services.ts'
import { rate, windowSchema } from './analytics-schemas.ts'
import { keyedRoute } from './capability.ts'

const counts = {
  primary: z.number().int(),
  competitor: z.number().int(),
  other: z.number().int(),
  total: z.number().int(),
}
const change = z
  .number()
  .nullable()
  .describe('Percent change against the previous window; null when it was 0')

/** The single-endpoint groups: competitive, adoption, traffic and intelligence. */
export function insightRoutes(analytics: Services['analytics']) {
  return [
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/competitive/position',
      operationId: 'getCompetitivePosition',
      summary: 'Primary, competitor and other citations over time',
      tool: {
        name: 'devtune_get_competitive_position',
        description:
          'A time series of how many citations in AI answers went to your pages (primary), competitors and other ' +
          'sources, bucketed daily, weekly (Monday starts) or monthly (grouping), over the last 30 or 90 days ' +
          '(windowDays). Every bucket is listed, empty ones with zeros. Filters: platform, topicId.',
      },
      scope: 'competitive.read',
      query: competitiveQuery,
      response: z.object({
        window: windowSchema,
        grouping: z.enum(['daily', 'weekly', 'monthly']),
        series: z.array(z.object({ periodStart: z.iso.date(), ...counts, primaryShare: rate })),
        totals: z.object({ ...counts, primaryShare: rate, competitorShare: rate }),
      }),
      handle: ({ actor, projectId, query }) => analytics.competitivePosition(actor, { projectId, ...query }),
    }),
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/adoption/metrics',
      operationId: 'getAdoptionMetrics',
      summary: 'npm downloads and GitHub stars: totals, daily series and change',
      tool: {
        name: 'devtune_get_adoption_metrics',
        description:
          'Developer adoption over the last 30 or 90 days (windowDays): npm downloads per package (sum over the ' +
          'window, previous window and percent change) and GitHub stars per repository (count today, stars gained ' +
          'in the window and in the previous one), plus a daily series of downloads and total stars.',
      },
      scope: 'adoption.read',
      query: windowQuery,
      response: z.object({
        window: windowSchema,
        npm: z.object({
          totalDownloads: z.number().int(),
          previousTotalDownloads: z.number().int(),
          changePercent: change,
          packages: z.array(
            z.object({
              name: z.string(),
              downloads: z.number().int(),
              previousDownloads: z.number().int(),
              changePercent: change,
            }),
          ),
        }),
        github: z.object({
          totalStars: z.number().int(),
          starsGained: z.number().int(),
          previousStarsGained: z.number().int(),
          repositories: z.array(
            z.object({
              name: z.string(),
              stars: z.number().int(),
              starsGained: z.number().int(),
              previousStarsGained: z.number().int(),
            }),
          ),
        }),
        series: z.array(
          z.object({ date: z.iso.date(), npmDownloads: z.number().int(), githubStars: z.number().int() }),
        ),
      }),
      handle: ({ actor, projectId, query }) => analytics.adoptionMetrics(actor, { projectId, ...query }),
    }),
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/traffic/summary',
      operationId: 'getTrafficSummary',
      summary: 'Visits from AI assistants: totals, sources, landing pages, daily series and change',
      tool: {
        name: 'devtune_get_traffic_summary',
        description:
          'Website visits referred by AI assistants over the last 30 or 90 days (windowDays): total visits, the ' +
          'previous window and percent change, visits per AI source with share (0..1) and change, the top 10 ' +
          'landing pages, and a daily series of visits.',
      },
      scope: 'traffic.read',
      query: windowQuery,
      response: z.object({
        window: windowSchema,
        totalVisits: z.number().int(),
        previousTotalVisits: z.number().int(),
        changePercent: change,
        bySource: z.array(
          z.object({
            source: z.string(),
            visits: z.number().int(),
            share: rate,
            previousVisits: z.number().int(),
            changePercent: change,
          }),
        ),
        topLandingPages: z.array(
          z.object({ landingPage: z.string(), visits: z.number().int(), share: rate }),
        ),
        series: z.array(z.object({ date: z.iso.date(), visits: z.number().int() })),
      }),
      handle: ({ actor, projectId, query }) => analytics.trafficSummary(actor, { projectId, ...query }),
    }),
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/intelligence/what-works',
      operationId: 'getWhatWorksRecommendations',
      summary: 'Learnings from completed actions whose target pages gained citations',
      tool: {
        name: 'devtune_get_what_works',
        description:
          'What kinds of actions raised citations: for actions marked done in the last 30 or 90 days (windowDays) ' +
          'whose target page was cited more in the 14 days after completion than in the 14 days before, grouped by ' +
          'action type with success rate (0..1) and citation lift (%). When there is too little data, learnings is ' +
          'empty and emptyState lists the missing requirements and current counts.',
      },
      scope: 'intelligence.read',
      query: windowQuery,
      response: z.object({
        window: windowSchema,
        learnings: z.array(
          z.object({
            actionType: z.string(),
            measuredInterventions: z.number().int(),
            correlatedInterventions: z.number().int(),
            successRate: rate,
            citationsBefore: z.number().int(),
            citationsAfter: z.number().int(),
            citationLiftPercent: z.number().nullable(),
            examples: z.array(
              z.object({
                actionId: z.string(),
                targetUrl: z.string(),
                baselineCitations: z.number().int(),
                citationsAfter: z.number().int(),
              }),
            ),
          }),
        ),
        counts: z.object({
          completedActions: z.number().int(),
          interventions: z.number().int(),
          measuredInterventions: z.number().int(),
          correlatedInterventions: z.number().int(),
        }),
        emptyState: z
          .object({
            reason: z.string(),
            missingRequirements: z.array(z.string()),
            counts: z.object({
              completedActions: z.number().int(),
              interventions: z.number().int(),
              measuredInterventions: z.number().int(),
              correlatedInterventions: z.number().int(),
            }),
          })
          .nullable(),
      }),
      handle: ({ actor, projectId, query }) => analytics.whatWorks(actor, { projectId, ...query }),
    }),
  ]
}
