import { randomUUID } from 'node:crypto'
import helmet from '@fastify/helmet'
import Fastify, { type FastifyInstance, LogController } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import { messages } from '../../core/errors.ts'
import { redactKeys } from '../../core/redact.ts'
import { type PublicServices, publicRoutes } from '../capabilities/table.ts'
import { sendError } from '../error-envelope.ts'
import type { OAuthResourceDeps, PipelineDeps } from '../keyed-pipeline.ts'
import { registerMcp } from '../mcp/http.ts'
import { registerAuthorizationServer, registerConsentPage } from '../oauth/routes.ts'
import type { AuthorizationServer } from '../oauth/server.ts'
import { defaultWebDist, registerWebApp } from '../web/spa.ts'
import { clientErrorHandler, requireHostHeader } from './client-errors.ts'
import { type DashboardDeps, dashboardPrefix } from './dashboard/deps.ts'
import { registerDashboardApi } from './dashboard/plugin.ts'
import { registerOpenApi } from './openapi.ts'
import { registerSecretScanning, type SecretScanningDeps } from './secret-scanning.ts'
import { registerPublicApi } from './v2/register.ts'
import { registerWellKnown } from './well-known.ts'

export interface AppDeps extends PipelineDeps {
  /** The use-cases the public routes and MCP tools call. */
  services: PublicServices
  /** Browser origins allowed to call /api/mcp (`KEYWARD_MCP_ALLOWED_ORIGINS`). */
  mcpAllowedOrigins?: readonly string[]
  /** For `/readyz`: whether this node can serve (database, Redis). */
  readiness?: () => Promise<{ ready: boolean; checks: Record<string, boolean | null> }>
  logLevel?: string
  /** The browser dashboard's API; without it only the public APIs are served. */
  dashboard?: DashboardDeps
  /** The built SPA (`web/dist` unless given). */
  webDist?: string
  /** Where the JSON log goes; standard output unless given. */
  logStream?: NodeJS.WritableStream
  trustProxy?: boolean | string
  /** Where clients reach this server (`KEYWARD_PUBLIC_URL`): the OpenAPI document's server URL. */
  publicUrl?: string
  /**
   * MCP OAuth's resource side (issue 17): /api/mcp takes access tokens beside keys, its 401s name the protected
   * resource metadata, which is served. Only where the authorization server runs (`keyward serve`).
   */
  mcpOAuth?: OAuthResourceDeps
  /** GitHub's secret scanning partner endpoint; not served without it. */
  secretScanning?: SecretScanningDeps
  /** MCP OAuth (issue 17): mounted under /oauth/ with its metadata; `keyward serve` always has it. */
  authorizationServer?: AuthorizationServer
}

/** Builds the HTTP app without listening, so tests drive it with `inject()`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: deps.logLevel ?? 'info',
      ...(deps.logStream ? { stream: deps.logStream } : {}),
      // Never log a query string: it is where a careless client would put a key.
      serializers: { req: (req) => ({ method: req.method, url: req.url.split('?', 1)[0], reqId: req.id }) },
      // Nor a key anywhere else (a path, an error message): every line is redacted as it is written.
      hooks: { streamWrite: redactKeys },
    },
    clientErrorHandler,
    // Checked by `requireHostHeader` below instead, so that the answer is the envelope and not an empty 400.
    http: { requireHostHeader: false },
    trustProxy: deps.trustProxy ?? false,
    // Agent Activity already records every keyed request; two log lines for each would only cost throughput.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    bodyLimit: 64 * 1024,
    // URLs the router refuses before any route runs (bad percent-encoding, a parameter over 100 characters):
    // answered as the documented 400, not Fastify's own 400/414 body.
    frameworkErrors: (error, _request, reply) =>
      error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? sendError(reply, 'bad_request', 'Invalid URL: malformed or overlong path segment')
        : sendError(reply, 'internal_error', messages.internal),
  })
  app.addHook('onRequest', requireHostHeader)
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id)
    done(null, payload)
  })

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const readiness = (await deps.readiness?.()) ?? { ready: true, checks: {} }
    return reply
      .code(readiness.ready ? 200 : 503)
      .send({ status: readiness.ready ? 'ready' : 'not ready', ...readiness.checks })
  })

  registerWellKnown(app, {
    authorizationServer: deps.authorizationServer !== undefined,
    resource: deps.mcpOAuth && { publicUrl: deps.publicUrl ?? 'http://localhost:3000' },
  })
  if (deps.authorizationServer) await registerAuthorizationServer(app, deps.authorizationServer)
  if (deps.secretScanning) await registerSecretScanning(app, deps.secretScanning)
  const routes = publicRoutes(deps.services)
  await registerOpenApi(app, routes, { publicUrl: deps.publicUrl ?? 'http://localhost:3000' })
  await app.register(async (api) => registerPublicApi(api, routes, deps), { prefix: '/api/v2' })
  await app.register(async (mcp) => registerMcp(mcp, routes, deps))
  if (deps.dashboard) {
    const dashboard = { ...deps.dashboard, oauthConsent: deps.authorizationServer?.consent }
    await registerBrowserFacing(app, dashboard, deps.webDist ?? defaultWebDist, deps.authorizationServer)
  }
  return app
}

/**
 * The dashboard and its API get browser security headers (helmet): a strict CSP that forbids framing, nosniff and
 * the rest. They live in a context of their own, so the public APIs (for programs) run none of helmet's hooks.
 */
async function registerBrowserFacing(
  app: FastifyInstance,
  dashboard: DashboardDeps,
  webDist: string,
  authorizationServer: AuthorizationServer | undefined,
) {
  await app.register(async (browser) => {
    await browser.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          // No inline <style>: the dashboard sets styles only through the CSSOM, which CSP allows.
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          'frame-ancestors': ["'none'"],
          'form-action': ["'self'"],
          'upgrade-insecure-requests': dashboard.secureCookies ? [] : null,
        },
      },
      frameguard: { action: 'deny' },
      hsts: dashboard.secureCookies,
    })
    await browser.register(async (api) => registerDashboardApi(api, dashboard), { prefix: dashboardPrefix })
    if (authorizationServer) registerConsentPage(browser, authorizationServer)
    await registerWebApp(browser, webDist)
  })
}
