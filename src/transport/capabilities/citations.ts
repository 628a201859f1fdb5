import { z } from 'zod'
import { citationListQuery } from '../../core/analytics/citations.ts'
import { windowQuery } from '../../core/analytics/inputs.ts'
import type { Services } from '../../core/services.ts'
import { classification, paginationSchema, rate, windowSchema } from './analytics-schemas.ts'
import { keyedRoute } from './capability.ts'

export function citationRoutes(analytics: Services['analytics']) {
  return [
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/citations/stats',
      operationId: 'getCitationStats',
      summary: 'Aggregate citation totals for a 30 or 90 day window',
      tool: {
        name: 'devtune_get_citation_stats',
        description:
          'Totals of the sources AI answers cited over the last 30 or 90 days (windowDays, ending today): all, primary ' +
          '(your own pages), competitor and other citations, primaryShare (0..1), unique pages and domains, runs and ' +
          'citations per run. For lists use devtune_get_top_pages and devtune_get_top_domains.',
      },
      scope: 'citations.read',
      query: windowQuery,
      response: z.object({
        window: windowSchema,
        stats: z.object({
          totalCitations: z.number().int(),
          primaryCitations: z.number().int(),
          competitorCitations: z.number().int(),
          otherCitations: z.number().int(),
          primaryShare: rate,
          uniquePages: z.number().int(),
          uniqueDomains: z.number().int(),
          totalRuns: z.number().int(),
          citationsPerRun: z.number(),
        }),
      }),
      handle: ({ actor, projectId, query }) => analytics.citationStats(actor, { projectId, ...query }),
    }),
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/citations/top-pages',
      operationId: 'getTopCitedPages',
      summary: 'The most cited pages, paginated',
      tool: {
        name: 'devtune_get_top_pages',
        description:
          'The pages AI answers cited most over the last 30 or 90 days (windowDays), most cited first (ties by URL): ' +
          'url, domain, title, classification, count, avgPosition (mean rank among the cited sources, 1 = first) and ' +
          'top3Count. Paginated with page and pageSize (≤ 100); filters: platform, topicId, classification.',
      },
      scope: 'citations.read',
      query: citationListQuery,
      response: z.object({
        window: windowSchema,
        pages: z.array(
          z.object({
            url: z.string(),
            domain: z.string(),
            title: z.string(),
            classification,
            count: z.number().int(),
            avgPosition: z.number(),
            top3Count: z.number().int(),
          }),
        ),
        pagination: paginationSchema,
      }),
      handle: ({ actor, projectId, query }) => analytics.topPages(actor, { projectId, ...query }),
    }),
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/citations/top-domains',
      operationId: 'getTopCitedDomains',
      summary: 'The most cited domains, paginated',
      tool: {
        name: 'devtune_get_top_domains',
        description:
          'The domains AI answers cited most over the last 30 or 90 days (windowDays), most cited first (ties by ' +
          'domain): domain, classification, count, distinct pages and share of all citations (0..1). Paginated with ' +
          'page and pageSize (≤ 100); filters: platform, topicId, classification.',
      },
      scope: 'citations.read',
      query: citationListQuery,
      response: z.object({
        window: windowSchema,
        domains: z.array(
          z.object({
            domain: z.string(),
            classification,
            count: z.number().int(),
            pages: z.number().int(),
            share: rate,
          }),
        ),
        pagination: paginationSchema,
      }),
      handle: ({ actor, projectId, query }) => analytics.topDomains(actor, { projectId, ...query }),
    }),
  ]
}
