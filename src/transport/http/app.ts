import Fastify, { type FastifyInstance } from 'fastify'

export interface AppOptions {
  logLevel?: string
  trustProxy?: boolean | string
}

/** Builds the HTTP app without listening, so tests drive it with `inject()`. */
export function buildApp(options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info' },
    trustProxy: options.trustProxy ?? false,
  })
  app.get('/healthz', async () => ({ status: 'ok' }))
  return app
}
