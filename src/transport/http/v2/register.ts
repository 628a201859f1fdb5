import cors from '@fastify/cors'
import type { FastifyInstance, onRequestHookHandler, preValidationHookHandler } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { type KeyedRoute, meta, projectIdParam } from '../../capabilities/capability.ts'
import { apiErrorHandler, errorSchema, sendError } from '../../error-envelope.ts'
import { corsExposedHeaders, createKeyedPipeline, type PipelineDeps } from '../../keyed-pipeline.ts'
import { responseSerializerCompiler } from '../response-serializer.ts'

/**
 * OPTIONS serves CORS preflights only: one without `Origin` and `Access-Control-Request-Method` is no preflight, and
 * gets the envelope's 400 (a 204 would claim an OPTIONS the API does not implement; an `Allow` list per path would
 * serve no client).
 */
const refuseNonPreflight: onRequestHookHandler = (request, reply, done) => {
  if (request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined)
    return done()
  reply.header('access-control-allow-origin', '*')
  sendError(
    reply,
    'bad_request',
    'Not a CORS preflight: Origin and Access-Control-Request-Method are required',
  )
}

/**
 * Clients (and generated ones) send `Content-Type: application/json` on every POST and DELETE, body or not. An empty
 * body is no body: an operation that takes none runs, one that needs a body answers the 400 naming it.
 */
function acceptEmptyJsonBodies(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString()
    if (text === '') return done(null, undefined)
    parseJson(request, text, done)
  })
}

/**
 * A request without a body (no content type, or an empty JSON one) is validated as `{}`: where every field is
 * optional (the brief's options) it runs, elsewhere the 400 names the required fields.
 */
const noBodyIsEmptyObject: preValidationHookHandler = (request, _reply, done) => {
  request.body ??= {}
  done()
}

/** The public API under /api/v2: CORS for any origin (no credentials), the pipeline on every route, one envelope. */
export async function registerPublicApi(
  app: FastifyInstance,
  routes: readonly KeyedRoute[],
  deps: PipelineDeps,
) {
  const pipeline = createKeyedPipeline(deps)
  // Preflight only: @fastify/cors answers OPTIONS in a context of its own, so that its per-request hook (which
  // rebuilds its options for every request) stays off the keyed routes; those send their CORS headers themselves.
  await app.register(async (preflight) => {
    preflight.addHook('onRequest', refuseNonPreflight)
    await preflight.register(cors, {
      origin: '*',
      credentials: false,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type'],
      exposedHeaders: corsExposedHeaders,
      maxAge: 600,
    })
  })
  acceptEmptyJsonBodies(app)
  app.addHook('onResponse', pipeline.onResponse)
  app.setNotFoundHandler(pipeline.notFound)
  app.setErrorHandler(apiErrorHandler)
  app.setSerializerCompiler(responseSerializerCompiler)

  const typed = app.withTypeProvider<ZodTypeProvider>()
  for (const route of routes) {
    const status = route.status ?? 200
    const envelope = route.envelope ?? true
    typed.route({
      method: route.method,
      url: route.path,
      onRequest: pipeline.guard(route.scope ?? undefined, `${app.prefix}${route.path}`),
      ...(route.body ? { preValidation: noBodyIsEmptyObject } : {}),
      schema: {
        operationId: route.operationId,
        summary: route.summary,
        description: route.scope
          ? `Requires the \`${route.scope}\` scope.`
          : 'Any valid key may call it; no scope is needed.',
        tags: [route.scope?.split('.')[0] ?? 'key'],
        security: [{ bearerAuth: [] }],
        params: z.object({
          ...(route.path.includes(':projectId') ? { projectId: projectIdParam } : {}),
          ...route.params?.shape,
        }),
        ...(route.query ? { querystring: route.query } : {}),
        ...(route.body ? { body: route.body } : {}),
        response: {
          [status]: envelope ? z.object({ data: route.response, meta }) : route.response,
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
          // Refused by Fastify before the handler: a body over 64 KB, a body that is neither JSON nor text.
          ...(route.body ? { 413: errorSchema, 415: errorSchema } : {}),
          429: errorSchema,
        },
      },
      handler: async (request, reply) => {
        const key = request.keyed?.key
        if (!key) throw new Error('handler reached without a key') // the pipeline guarantees one
        // `/key` names no project: its project is the key's own.
        const { projectId = key.projectId, ...params } = request.params as { projectId?: string }
        const actor = { kind: 'key', key } as const
        const data = await route.handle({
          actor,
          projectId,
          params,
          query: request.query,
          body: request.body,
        })
        reply.code(status)
        return envelope
          ? { data, meta: { timestamp: new Date(deps.clock()).toISOString(), projectId } }
          : data
      },
    })
  }
}
