import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { activityReasons } from '../../../core/activity-reason.ts'
import { statusClasses } from '../../../core/read-models/ports.ts'
import { id, instant } from './account-routes.ts'
import { type DashboardDeps, userActor } from './deps.ts'
import { exportFormat, sendExport } from './export-reply.ts'
import { activityDetail, activityRow } from './json.ts'
import { activityDetailJson, activityPageJson, activitySeriesJson, keyUsageListJson } from './wire.ts'

const filters = z.object({
  keyId: id.optional(),
  projectId: id.optional(),
  statusClass: z.enum(statusClasses as ['2xx', '4xx', '429', '5xx']).optional(),
  route: z.string().min(1).max(200).optional(),
  status: z.coerce.number().int().min(100).max(599).optional(),
  reason: z.enum(activityReasons).optional(),
  from: instant.optional(),
  to: instant.optional(),
})
const accountParams = z.object({ accountId: id })
/** Agent Activity: the keyed requests of the account, one in detail, a series for the chart, per-key usage. */
export function activityRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()

  typed.get(
    '/accounts/:accountId/activity',
    {
      schema: {
        params: accountParams,
        querystring: filters.extend({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          before: z.string().max(100).optional(),
        }),
        response: { 200: activityPageJson },
      },
    },
    async (request) => {
      const { rows, nextBefore } = await deps.queries.activity(userActor(request), {
        ...request.params,
        ...request.query,
      })
      return { data: rows.map(activityRow), meta: { nextBefore } }
    },
  )

  // The page's filter as a file. `from`/`to` are the page's instants; without them, everything retained.
  typed.get(
    '/accounts/:accountId/activity/export',
    { schema: { params: accountParams, querystring: filters.merge(exportFormat) } },
    async (request, reply) => {
      const stream = await deps.queries.exportActivity(userActor(request), {
        ...request.params,
        ...request.query,
      })
      const { accountId } = request.params
      return sendExport(reply, stream, {
        kind: 'activity',
        accountId,
        at: Date.now(),
        format: request.query.format,
      })
    },
  )

  typed.get(
    '/accounts/:accountId/activity/series',
    { schema: { params: accountParams, querystring: filters, response: { 200: activitySeriesJson } } },
    async (request) => {
      const { points, bucketMs } = await deps.queries.activitySeries(userActor(request), {
        ...request.params,
        ...request.query,
      })
      return { data: points, meta: { bucketMs } }
    },
  )

  typed.get(
    '/accounts/:accountId/activity/:activityId',
    { schema: { params: accountParams.extend({ activityId: id }), response: { 200: activityDetailJson } } },
    async (request) => activityDetail(await deps.queries.activityDetail(userActor(request), request.params)),
  )

  typed.get(
    '/accounts/:accountId/activity/keys',
    { schema: { params: accountParams, response: { 200: keyUsageListJson } } },
    async (request) => ({
      data: await deps.queries.keyUsage(userActor(request), request.params),
    }),
  )
}
