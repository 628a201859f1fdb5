import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Project } from '../../../core/model.ts'
import { type DashboardDeps, userActor } from './deps.ts'
import { exportFormat, sendExport } from './export-reply.ts'
import { accountSummary, activityRow } from './json.ts'
import { historyPageJson, overviewJson, projectJson as projectJsonSchema, projectListJson } from './wire.ts'

export const id = z.string().min(1).max(100)
export const instant = z.coerce.number().int().min(0).max(8_640_000_000_000_000)
const accountParams = z.object({ accountId: id })
const name = z.object({ name: z.string() }).strict()
const targetTypes = ['account', 'member', 'project', 'key', 'webhook', 'invitation', 'oauth_grant'] as const

const projectJson = (p: Project & { keyCount?: number }) => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt,
  keyCount: p.keyCount ?? 0,
})

/** Home, Projects and the account's management history. */
export function accountRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const { queries, services } = deps

  typed.get(
    '/accounts/:accountId/overview',
    { schema: { params: accountParams, response: { 200: overviewJson } } },
    async (request) => {
      const overview = await queries.overview(userActor(request), request.params)
      const { account, role, recentActivity, ...counts } = overview
      return {
        account: accountSummary(account, role === 'operator' ? 'owner' : role),
        ...counts,
        recentActivity: recentActivity.map(activityRow),
      }
    },
  )

  typed.get(
    '/accounts/:accountId/projects',
    { schema: { params: accountParams, response: { 200: projectListJson } } },
    async (request) => ({
      data: (await queries.projects(userActor(request), request.params)).map(projectJson),
    }),
  )

  typed.post(
    '/accounts/:accountId/projects',
    { schema: { params: accountParams, body: name, response: { 201: projectJsonSchema } } },
    async (request, reply) => {
      const project = await services.projects.create(userActor(request), {
        ...request.params,
        ...request.body,
      })
      return reply.code(201).send(projectJson(project))
    },
  )

  typed.patch(
    '/projects/:projectId',
    { schema: { params: z.object({ projectId: id }), body: name, response: { 200: projectJsonSchema } } },
    async (request) =>
      projectJson(await services.projects.rename(userActor(request), { ...request.params, ...request.body })),
  )

  typed.get(
    '/accounts/:accountId/history/export',
    {
      schema: {
        params: accountParams,
        querystring: exportFormat.extend({ from: instant.optional(), to: instant.optional() }),
      },
    },
    async (request, reply) => {
      const stream = await queries.exportHistory(userActor(request), { ...request.params, ...request.query })
      const { accountId } = request.params
      return sendExport(reply, stream, {
        kind: 'history',
        accountId,
        at: Date.now(),
        format: request.query.format,
      })
    },
  )

  typed.get(
    '/accounts/:accountId/history',
    {
      schema: {
        params: accountParams,
        querystring: z.object({
          targetType: z.enum(targetTypes).optional(),
          targetId: id.optional(),
          action: z.string().min(1).max(100).optional(),
          actor: id.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          before: z.string().max(200).optional(),
        }),
        response: { 200: historyPageJson },
      },
    },
    async (request) => {
      const { events, nextBefore } = await queries.history(userActor(request), {
        ...request.params,
        ...request.query,
      })
      return { data: events, meta: { nextBefore } }
    },
  )
}
