import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ActivityRecorder } from '../../../core/activity.ts'
import type { ActivityReason } from '../../../core/activity-reason.ts'
import { authorizeApiRequest, bearerKey } from '../../../core/api-access.ts'
import type { Clock } from '../../../core/clock.ts'
import type { KeyAuthRecord } from '../../../core/model.ts'
import { planHasApiAccess, rateLimitPerMinute } from '../../../core/plans.ts'
import type { RateDecision, RateLimiter } from '../../../core/rate-limit.ts'
import type { Scope } from '../../../core/scopes.ts'
import type { KeyVerifier } from '../../../core/verify.ts'
import { codeOfStatus, messages, sendError } from '../errors.ts'

export interface PipelineDeps {
  verifier: KeyVerifier
  rateLimiter: RateLimiter
  activity: Pick<ActivityRecorder, 'record' | 'touch'>
  clock: Clock
}

/** What the pipeline learnt about a request, for the handler and the activity row. */
export interface KeyedState {
  key?: KeyAuthRecord
  /** The route pattern, null when no route matched. */
  route: string | null
  scope: Scope | null
  /** Why the pipeline refused the request, for its activity row. */
  reason: ActivityReason | null
  /** For `wrong_project`: the project the request asked for. */
  requestedProjectId: string | null
  /** How many of the requests charged (`cost`) fit the key's budget; the rest must not run. */
  granted: number
}

declare module 'fastify' {
  interface FastifyRequest {
    keyed?: KeyedState
  }
}

/** What a browser script may read of a keyed answer (any origin may call the API, without credentials). */
export const corsExposedHeaders = [
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
  'www-authenticate',
]
const exposed = corsExposedHeaders.join(', ')

function setRateHeaders(reply: FastifyReply, decision: RateDecision): void {
  reply.header('x-ratelimit-limit', decision.limit)
  reply.header('x-ratelimit-remaining', decision.remaining)
  reply.header('x-ratelimit-reset', decision.resetAt)
}

/**
 * Node keeps the first of two `Authorization` headers and drops the other, while a proxy in front may have checked
 * or logged the other one: a request with two is refused before any key is read (RFC 6750 §3.1 `invalid_request`).
 */
function hasRepeatedAuthorization(rawHeaders: readonly string[]): boolean {
  let seen = false
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      if (seen) return true
      seen = true
    }
  }
  return false
}

/**
 * The keyed pipeline, defined once: bearer → verify → project → plan → scope → per-key rate limit. Routes declare
 * their scope in the route table; handlers run only when this let the request through.
 */
export function createKeyedPipeline(deps: PipelineDeps) {
  /**
   * Answers the request itself and returns undefined when it is refused. A body holding several requests (an MCP
   * batch) is charged `cost` points before any of them runs; `request.keyed.granted` says how many may run.
   */
  async function admit(
    request: FastifyRequest,
    reply: FastifyReply,
    required: { projectId?: string; scope?: Scope; route?: string; cost?: number },
  ): Promise<KeyAuthRecord | undefined> {
    const state: KeyedState = {
      route: required.route ?? null,
      scope: required.scope ?? null,
      reason: null,
      requestedProjectId: null,
      granted: 0,
    }
    request.keyed = state
    reply.header('access-control-allow-origin', '*')
    reply.header('access-control-expose-headers', exposed)
    if (hasRepeatedAuthorization(request.raw.rawHeaders)) {
      state.reason = 'malformed' // no key was read: which of the two would it have been?
      reply.header('www-authenticate', 'Bearer error="invalid_request"')
      sendError(reply, 'bad_request', 'Send exactly one Authorization header')
      return undefined
    }
    const access = await authorizeApiRequest(
      deps.verifier,
      bearerKey(request.headers.authorization),
      required,
    )
    // Expired and revoked keys are identified too: their rows name them, but they are not "used".
    state.key = access.key
    const validKey = access.ok || access.denial.status === 403 ? access.key : undefined
    if (validKey) deps.activity.touch(validKey.id, deps.clock())

    if (!access.ok) {
      state.reason = access.denial.reason
      state.requestedProjectId = access.denial.requestedProjectId ?? null
      if (access.denial.challenge) reply.header('www-authenticate', access.denial.challenge)
      // A valid key refused for project, plan or scope still learns its budget; a free plan has none to show.
      if (validKey && planHasApiAccess(validKey.plan)) {
        setRateHeaders(reply, await deps.rateLimiter.peek(validKey.id, rateLimitPerMinute[validKey.plan]))
      }
      sendError(reply, access.denial.code, access.denial.message)
      return undefined
    }

    const cost = required.cost ?? 1
    const decision = await deps.rateLimiter.consume(access.key.id, rateLimitPerMinute[access.key.plan], cost)
    setRateHeaders(reply, decision)
    state.granted = decision.granted
    if (decision.granted < cost) {
      reply.header('retry-after', Math.max(1, decision.resetAt - Math.floor(deps.clock() / 1000)))
    }
    if (!decision.allowed) {
      state.reason = 'rate_limited'
      sendError(reply, 'rate_limit_exceeded', messages.rateLimited)
      return undefined
    }
    return access.key
  }

  return {
    admit,

    /**
     * The onRequest hook of one route, which states its scope and pattern (Fastify's `request.routeOptions` builds
     * a new object on every read, a cost this path does not need to pay).
     */
    guard(scope: Scope | undefined, route: string) {
      return async (request: FastifyRequest, reply: FastifyReply) => {
        const projectId = (request.params as { projectId?: string }).projectId
        if (!(await admit(request, reply, { projectId, scope, route }))) return reply
      }
    },

    /** Unknown routes under /api/v2: 404 only after the caller proved it holds a key. */
    async notFound(request: FastifyRequest, reply: FastifyReply) {
      if (await admit(request, reply, {})) return sendError(reply, 'not_found', messages.notFound)
      return reply
    },

    onResponse(request: FastifyRequest, reply: FastifyReply, done: () => void) {
      const state = request.keyed
      if (state) {
        const status = reply.statusCode
        deps.activity.record({
          at: deps.clock(),
          accountId: state.key?.accountId ?? null,
          projectId: state.key?.projectId ?? null,
          keyId: state.key?.id ?? null,
          method: request.method,
          route: state.route,
          path: request.url.split('?', 1)[0] ?? request.url, // the query string never reaches the log
          status,
          scope: state.scope,
          latencyMs: Math.round(reply.elapsedTime * 100) / 100,
          errorCode: codeOfStatus(status),
          rateLimited: status === 429,
          reason: state.reason,
          requestedProjectId: state.requestedProjectId,
          requestId: request.id,
          rpcId: null,
          clientIp: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
        })
      }
      done()
    },
  }
}
