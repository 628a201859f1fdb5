import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ActivityRecorder } from '../core/activity.ts'
import type { ActivityReason } from '../core/activity-reason.ts'
import {
  type ApiAccess,
  authorizeApiRequest,
  authorizeKnownKey,
  bearerKey,
  keyRateLimit,
} from '../core/api-access.ts'
import type { Clock } from '../core/clock.ts'
import { messages } from '../core/errors.ts'
import { type GrantVerifier, looksLikeAccessToken } from '../core/grant-verify.ts'
import type { KeyAuthRecord } from '../core/model.ts'
import { planHasApiAccess } from '../core/plans.ts'
import type { RateDecision, RateLimiter } from '../core/rate-limit.ts'
import type { Scope } from '../core/scopes.ts'
import { requestReason } from '../core/secret-use.ts'
import type { KeyVerifier } from '../core/verify.ts'
import { sendError } from './error-envelope.ts'
import { codeOfStatus } from './error-status.ts'

export interface PipelineDeps {
  verifier: KeyVerifier
  rateLimiter: RateLimiter
  activity: Pick<ActivityRecorder, 'record' | 'touch'>
  clock: Clock
}

/**
 * MCP with OAuth (issue 17): access tokens are accepted beside keys, and a 401 points the client at the protected
 * resource metadata (RFC 9728) it discovers the authorization server from. Only /api/mcp's pipeline gets this.
 */
export interface OAuthResourceDeps {
  grants: GrantVerifier
  /** `<publicUrl>/.well-known/oauth-protected-resource/api/mcp`. */
  resourceMetadataUrl: string
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

/** The admitted request's key, or undefined when the pipeline refused (and answered) the request. */
type Admission = KeyAuthRecord | undefined

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

const pathOf = (url: string) => {
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
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
export function createKeyedPipeline(
  deps: PipelineDeps,
  options: { oauth?: OAuthResourceDeps; mcp?: boolean } = {},
) {
  const oauth = options.oauth
  /** A 401's challenge names where OAuth is discovered (MCP authorization, 2025-06-18), when it is offered. */
  const withResourceMetadata = (challenge: string) =>
    oauth === undefined
      ? challenge
      : `${challenge}${challenge === 'Bearer' ? ' ' : ', '}resource_metadata="${oauth.resourceMetadataUrl}"`

  /**
   * Answers the request itself and returns undefined when it is refused. A body holding several requests (an MCP
   * batch) is charged `cost` points before any of them runs; `request.keyed.granted` says how many may run.
   *
   * The usual request (a cached key, a limiter that counts in memory) is admitted without a promise: each `await`
   * on this path cost a request about a microsecond and a few short-lived objects, and there were four. Only a
   * cache miss, a shared (Redis) counter or a refusal that shows the key's budget goes asynchronous.
   */
  function admitNow(
    request: FastifyRequest,
    reply: FastifyReply,
    required: { projectId?: string; scope?: Scope; route?: string; cost?: number },
  ): Admission | Promise<Admission> {
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
    const rawKey = bearerKey(request.headers.authorization)
    // request.ip is the client as KEYWARD_TRUST_PROXY defines it (Fastify's trustProxy): the allowlist's input.
    const requirements = {
      projectId: required.projectId,
      scope: required.scope,
      clientIp: request.ip,
      mcp: options.mcp,
    }
    // A JWT goes to the access-token verifier where OAuth is offered; elsewhere it is a malformed key.
    const verifier =
      oauth && rawKey !== undefined && looksLikeAccessToken(rawKey) ? oauth.grants : deps.verifier
    const access = authorizeKnownKey(verifier, rawKey, requirements)
    if (access) return charge(reply, state, access, required.cost ?? 1)
    return authorizeApiRequest(verifier, rawKey, requirements).then((read) =>
      charge(reply, state, read, required.cost ?? 1),
    )
  }

  /** The key is known: refuse it, or charge the limiter. */
  function charge(
    reply: FastifyReply,
    state: KeyedState,
    access: ApiAccess,
    cost: number,
  ): Admission | Promise<Admission> {
    // Expired and revoked keys are identified too: their rows name them, but they are not "used". A `forbidden` key
    // is a valid one refused for its project, plan or scope; one refused for the caller's address is neither used
    // nor shown its budget (the caller may well not be its owner).
    state.key = access.key
    const validKey =
      access.ok || (access.denial.code === 'forbidden' && access.denial.reason !== 'ip_not_allowed')
        ? access.key
        : undefined
    if (validKey) deps.activity.touch(validKey.id, deps.clock())

    if (!access.ok) {
      state.reason = access.denial.reason
      state.requestedProjectId = access.denial.requestedProjectId ?? null
      const challenge = access.denial.challenge
      if (challenge)
        reply.header(
          'www-authenticate',
          access.denial.code === 'unauthorized' ? withResourceMetadata(challenge) : challenge,
        )
      // A valid key refused for project, plan or scope still learns its budget; a free plan has none to show.
      if (validKey && planHasApiAccess(validKey.plan)) {
        const denial = access.denial
        return deps.rateLimiter.peek(validKey.id, keyRateLimit(validKey)).then((budget) => {
          setRateHeaders(reply, budget)
          sendError(reply, denial.code, denial.message)
          return undefined
        })
      }
      sendError(reply, access.denial.code, access.denial.message)
      return undefined
    }

    const key = access.key
    const limit = keyRateLimit(key)
    const decision = deps.rateLimiter.consumeNow?.(key.id, limit, cost)
    if (decision) return decide(reply, state, key, decision, cost)
    return deps.rateLimiter
      .consume(key.id, limit, cost)
      .then((shared) => decide(reply, state, key, shared, cost))
  }

  function decide(
    reply: FastifyReply,
    state: KeyedState,
    key: KeyAuthRecord,
    decision: RateDecision,
    cost: number,
  ): Admission {
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
    return key
  }

  return {
    async admit(
      request: FastifyRequest,
      reply: FastifyReply,
      required: { projectId?: string; scope?: Scope; route?: string; cost?: number },
    ): Promise<Admission> {
      return admitNow(request, reply, required)
    },

    /**
     * The onRequest hook of one route, which states its scope and pattern (Fastify's `request.routeOptions` builds
     * a new object on every read, a cost this path does not need to pay). In Fastify's callback style, so that an
     * admission without a promise continues at once: a refused request has been answered, and `done` is then not
     * called (Fastify's rule for a hook that replies).
     */
    guard(scope: Scope | undefined, route: string) {
      return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
        const projectId = (request.params as { projectId?: string }).projectId
        const admitted = admitNow(request, reply, { projectId, scope, route })
        if (admitted instanceof Promise) admitted.then((key) => key && done(), done)
        else if (admitted) done()
      }
    },

    /** Unknown routes under /api/v2: 404 only after the caller proved it holds a key. */
    async notFound(request: FastifyRequest, reply: FastifyReply) {
      if (await admitNow(request, reply, {})) return sendError(reply, 'not_found', messages.notFound)
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
          path: pathOf(request.url), // the query string never reaches the log
          status,
          scope: state.scope,
          latencyMs: Math.round(reply.elapsedTime * 100) / 100,
          errorCode: codeOfStatus(status),
          rateLimited: status === 429,
          reason: requestReason(state.reason, state.key),
          requestedProjectId: state.requestedProjectId,
          requestId: request.id,
          rpcId: null,
          // Read after the answer: a client that hung up first has no address any more (and its row is kept).
          clientIp: request.ip ?? null,
          userAgent: request.headers['user-agent'] ?? null,
        })
      }
      done()
    },
  }
}
