import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { WebhookDeps } from '../../core/webhooks.ts'
import { registerOpenApi } from './openapi.ts'
import type { PipelineDeps } from './v2/pipeline.ts'
import { registerPublicApi } from './v2/register.ts'
import { publicRoutes } from './v2/routes.ts'

export interface AppDeps extends PipelineDeps {
  webhooks: WebhookDeps
  logLevel?: string
  /** Where the JSON log goes; standard output unless given. */
  logStream?: NodeJS.WritableStream
  trustProxy?: boolean | string
}

/** Builds the HTTP app without listening, so tests drive it with `inject()`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: deps.logLevel ?? 'info',
      ...(deps.logStream ? { stream: deps.logStream } : {}),
      // Never log a query string: it is where a careless client would put a key.
      serializers: { req: (req) => ({ method: req.method, url: req.url.split('?', 1)[0], reqId: req.id }) },
    },
    trustProxy: deps.trustProxy ?? false,
    genReqId: () => randomUUID(),
    bodyLimit: 64 * 1024,
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }))

  const routes = publicRoutes(deps)
  await registerOpenApi(app, routes)
  await app.register(async (api) => registerPublicApi(api, routes, deps), { prefix: '/api/v2' })
  return app
}
