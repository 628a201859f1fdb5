import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { gracePresets } from '../../../core/grace.ts'
import { id } from './account-routes.ts'
import { type DashboardDeps, userActor } from './deps.ts'
import { keyRow } from './json.ts'
import { keyControlsBody } from './key-control-routes.ts'
import {
  createdKeyJson,
  keyDetailsJson,
  keyNoticesJson,
  keyPageJson,
  keyRowJson,
  keyUsageDetailsDataJson,
} from './wire.ts'

const scopes = z.array(z.string().max(64)).max(32).nullable()
const keyParams = z.object({ keyId: id })
const expires = z.string().min(1).max(40)
const keyPageQuery = z.object({
  projectId: id.optional(),
  /** Search by name or prefix; `search` is its older name (the Activity key picker). */
  q: z.string().max(100).optional(),
  search: z.string().max(100).optional(),
  hideRevoked: z.enum(['true', 'false']).default('false'),
  sort: z.enum(['created', 'name', 'project', 'status', 'expires', 'lastUsed']).default('created'),
  order: z.enum(['asc', 'desc']).default('desc'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
})

/** The API Keys page: the table, create (the raw key once), scopes, revoke and the details drawer with its usage. */
export function keyRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const keys = deps.services.keys
  // After a change the row is read back, so that the answer shows exactly what the table will.
  const rowOf = async (request: FastifyRequest, keyId: string) =>
    keyRow(await deps.queries.keyRow(userActor(request), { keyId }))

  typed.get(
    '/accounts/:accountId/keys',
    {
      schema: {
        params: z.object({ accountId: id }),
        querystring: keyPageQuery,
        response: { 200: keyPageJson },
      },
    },
    async (request) => {
      const { hideRevoked, q, search, ...query } = request.query
      const text = (q ?? search)?.trim() || undefined
      const input = { ...request.params, ...query, search: text, hideRevoked: hideRevoked === 'true' }
      const { rows, total } = await deps.queries.keyPage(userActor(request), input)
      return { data: rows.map(keyRow), meta: { page: query.page, pageSize: query.pageSize, total } }
    },
  )

  typed.get(
    '/accounts/:accountId/key-notices',
    { schema: { params: z.object({ accountId: id }), response: { 200: keyNoticesJson } } },
    async (request) => ({ data: await keys.notices(userActor(request), request.params) }),
  )

  typed.post(
    '/accounts/:accountId/keys',
    {
      schema: {
        params: z.object({ accountId: id }),
        body: z
          .object({
            projectId: id,
            name: z.string(),
            /** A preset (never, 30d … 1y), a duration from 1h to 366d, or a date; the core checks it. */
            expires: expires.default('never'),
            /** Left out: the account key policy's default preset. */
            scopes: scopes.optional(),
            ...keyControlsBody.shape,
          })
          .strict(),
        response: { 201: createdKeyJson },
      },
    },
    async (request, reply) => {
      const { allowedIps, rateLimitPerMinute, description, tags, ...fields } = request.body
      const controls = { allowedIps, rateLimitPerMinute, description, tags }
      const created = await keys.create(userActor(request), { ...fields, ...request.params, controls })
      reply.header('cache-control', 'no-store')
      return reply.code(201).send({ key: await rowOf(request, created.id), rawKey: created.key })
    },
  )

  typed.get(
    '/keys/:keyId',
    { schema: { params: keyParams, response: { 200: keyDetailsJson } } },
    async (request) => {
      const { key, history } = await deps.queries.keyDetails(userActor(request), request.params)
      return { key: keyRow(key), history }
    },
  )

  // The drawer's Usage tab: 30 days from the hourly rollup, for any member of the key's account.
  typed.get(
    '/keys/:keyId/usage',
    { schema: { params: keyParams, response: { 200: keyUsageDetailsDataJson } } },
    async (request) => ({
      data: await deps.queries.keyUsageDetails(userActor(request), request.params),
    }),
  )

  typed.patch(
    '/keys/:keyId/scopes',
    { schema: { params: keyParams, body: z.object({ scopes }).strict(), response: { 200: keyRowJson } } },
    async (request) => {
      await keys.updateScopes(userActor(request), { ...request.params, ...request.body })
      return rowOf(request, request.params.keyId)
    },
  )

  // Roll key: the dashboard offers the grace presets only (the CLI takes any duration up to 30 days).
  typed.post(
    '/keys/:keyId/rotate',
    {
      schema: {
        params: keyParams,
        body: z.object({ grace: z.enum(gracePresets) }).strict(),
        response: { 200: createdKeyJson },
      },
    },
    async (request, reply) => {
      const rotated = await keys.rotate(userActor(request), { ...request.params, ...request.body })
      reply.header('cache-control', 'no-store')
      return { key: await rowOf(request, rotated.id), rawKey: rotated.key }
    },
  )

  typed.patch(
    '/keys/:keyId/expiry',
    { schema: { params: keyParams, body: z.object({ expires }).strict(), response: { 200: keyRowJson } } },
    async (request) => {
      await keys.updateExpiry(userActor(request), { ...request.params, ...request.body })
      return rowOf(request, request.params.keyId)
    },
  )

  typed.post(
    '/keys/:keyId/revoke',
    { schema: { params: keyParams, response: { 200: keyRowJson } } },
    async (request) => {
      await keys.revoke(userActor(request), request.params)
      return rowOf(request, request.params.keyId)
    },
  )
}
