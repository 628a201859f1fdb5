import { randomUUID } from 'node:crypto'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { KeyAuthRecord } from '../../core/model.ts'
import { hasScope, type Scope } from '../../core/scopes.ts'
import { requestReason } from '../../core/secret-use.ts'
import type { KeyedRoute } from '../capabilities/capability.ts'
import { sendError } from '../error-envelope.ts'
import { codeOfStatus } from '../error-status.ts'
import { createKeyedPipeline, type OAuthResourceDeps, type PipelineDeps } from '../keyed-pipeline.ts'
import { calledTool, invalidBody, isRequest, maxMessagesPerBody, messagesOf, refuseBeyond } from './batch.ts'
import { mcpErrorHandler } from './errors.ts'
import { createMcpServer, toolCallActivity } from './server.ts'
import { type McpTool, toolFromRoute } from './tools.ts'

export interface McpDeps extends PipelineDeps {
  /** Browser origins allowed to call the endpoint; requests without an Origin header (agents) are always fine. */
  mcpAllowedOrigins?: readonly string[]
  /** OAuth access tokens beside keys (issue 17); without it, today's key-only endpoint. */
  mcpOAuth?: OAuthResourceDeps
}

/**
 * Browsers always send `Origin`; agents do not. An origin is allowed when it is listed, or when it is the server's own
 * origin on a loopback host (local development). A rebound DNS name (Host: evil.example) never passes, and without
 * the key, which browsers do not attach by themselves, a page could do nothing anyway.
 */
function originAllowed(origin: string, host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(origin)) return true
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/
  return (
    host !== undefined && local.test(host) && (origin === `http://${host}` || origin === `https://${host}`)
  )
}

/** The scope a call of this tool needs and the credential lacks, if so. */
function missingScopeOf(key: KeyAuthRecord, tools: readonly McpTool[], name: string | null): Scope | null {
  const scope = tools.find((tool) => tool.name === name)?.scope ?? null
  return scope !== null && !hasScope(key.scopes, scope) ? scope : null
}

/**
 * MCP over Streamable HTTP at /api/mcp, stateless (any node answers any request, JSON responses, no session to
 * hijack). Every request goes through the REST pipeline's authentication, plan check and per-key rate limit, so a
 * revoked key is refused on its very next request.
 */
export async function registerMcp(app: FastifyInstance, routes: readonly KeyedRoute[], deps: McpDeps) {
  const pipeline = createKeyedPipeline(deps, { oauth: deps.mcpOAuth, mcp: true })
  // Where OAuth is offered, a client may step up (ask for the scope) from this challenge (MCP authorization).
  const metadata = deps.mcpOAuth && `, resource_metadata="${deps.mcpOAuth.resourceMetadataUrl}"`
  const insufficientScope = (scope: Scope) =>
    `Bearer error="insufficient_scope", scope="${scope}"${metadata ?? ''}`
  const tools = routes.map(toolFromRoute)
  const allowedOrigins = new Set(deps.mcpAllowedOrigins ?? [])

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin
    if (origin !== undefined && !originAllowed(origin, request.headers.host, allowedOrigins)) {
      return sendError(reply, 'forbidden', 'Origin not allowed')
    }
    const requestInfo = () => ({
      at: deps.clock(),
      requestId: request.id,
      clientIp: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    })

    const messages = messagesOf(request.body)
    if (messages.length > maxMessagesPerBody) {
      return reply
        .code(400)
        .send(invalidBody(`Invalid Request: a body holds at most ${maxMessagesPerBody} messages`))
    }
    const requests = messages.filter(isRequest)
    const key = await pipeline.admit(request, reply, { cost: Math.max(1, requests.length) })
    if (!key) {
      // One row per refused tool call of an identified key, so that its log counts calls; one for the request when
      // it called no tool, or when no key was identified (a caller without a key cannot make a row per message).
      const state = request.keyed
      const toolCalls = requests.flatMap((message) => {
        const tool = calledTool(message)
        return tool === null ? [] : [{ tool, rpcId: String(message.id) }]
      })
      const only = requests.length === 1 ? String(requests[0]?.id) : null
      const perCall = state?.key !== undefined && toolCalls.length > 0
      const first = toolCalls.length === 1 ? toolCalls : [{ tool: toolCalls[0]?.tool ?? null, rpcId: only }]
      for (const call of perCall ? toolCalls : first) {
        deps.activity.record({
          ...requestInfo(),
          accountId: state?.key?.accountId ?? null,
          projectId: state?.key?.projectId ?? null,
          keyId: state?.key?.id ?? null,
          method: 'MCP',
          route: call.tool,
          path: '/api/mcp',
          status: reply.statusCode,
          scope: tools.find((t) => t.name === call.tool)?.scope ?? null,
          latencyMs: Math.round(reply.elapsedTime * 100) / 100,
          errorCode: codeOfStatus(reply.statusCode),
          rateLimited: reply.statusCode === 429,
          reason: requestReason(state?.reason ?? null, state?.key),
          requestedProjectId: null,
          rpcId: call.rpcId,
        })
      }
      return reply
    }
    const granted = request.keyed?.granted ?? 0

    // Stateless: no server-initiated stream to open (GET) and no session to end (DELETE). Answering 405 here, after
    // authentication, also means no long-lived stream can outlive its key's revocation.
    if (request.method !== 'POST') {
      reply.header('allow', 'POST')
      return sendError(reply, 'method_not_allowed', `${request.method} is not supported here: use POST`)
    }

    // The SDK writes the response itself; carry over the rate-limit headers the pipeline set, and the request id
    // (set on send for every other answer, a hook a hijacked reply never runs), which the activity rows name.
    reply.header('x-request-id', request.id)
    // One tool call the credential may not make: answered with the `forbidden:` tool error (MCP's way), and the
    // same challenge a REST 403 carries, for keys and tokens alike (RFC 6750 §3.1).
    const needed = requests.length === 1 ? missingScopeOf(key, tools, calledTool(requests[0])) : null
    if (needed) reply.header('www-authenticate', insufficientScope(needed))
    reply.hijack()
    for (const [name, value] of Object.entries(reply.getHeaders()))
      if (value !== undefined) reply.raw.setHeader(name, value)
    const refusedMarker = granted < requests.length ? randomUUID() : undefined
    const server = createMcpServer(
      key,
      tools,
      (call) => deps.activity.record(toolCallActivity(key, call, requestInfo())),
      refusedMarker,
    )
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    })
    reply.raw.on('close', () => {
      void transport.close()
      void server.close()
    })
    await server.connect(transport)
    const body = refusedMarker ? refuseBeyond(request.body, granted, refusedMarker) : request.body
    await transport.handleRequest(request.raw, reply.raw, body)
  }

  app.setErrorHandler(mcpErrorHandler)
  app.route({ method: ['POST', 'GET', 'DELETE'], url: '/api/mcp', handler: handle })
}
