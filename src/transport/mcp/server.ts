import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import type { ActivityEntry } from '../../core/activity.ts'
import type { ActivityReason } from '../../core/activity-reason.ts'
import { type ErrorCode, messages } from '../../core/errors.ts'
import type { KeyActor, KeyAuthRecord } from '../../core/model.ts'
import { hasScope } from '../../core/scopes.ts'
import { requestReason } from '../../core/secret-use.ts'
import { statusOf } from '../error-status.ts'
import { rateLimitedError, rateLimitedMethod } from './batch.ts'
import type { McpTool } from './tools.ts'

export interface ToolCallRecord {
  tool: McpTool | undefined
  name: string
  /** The code the call failed with (its status is the code's, from the one table), or null when it succeeded. */
  errorCode: ErrorCode | null
  /** Why the call was refused, if it was. */
  reason: ActivityReason | null
  /** The call's JSON-RPC id. */
  rpcId: string | number
  latencyMs: number
}

const errorResult = (text: string): CallToolResult => ({ isError: true, content: [{ type: 'text', text }] })

/**
 * A server for one request of one key (the endpoint is stateless): `tools/list` shows only what the key's scopes
 * allow, and `tools/call` of anything else answers `forbidden:` naming the scope.
 */
export function createMcpServer(
  key: KeyAuthRecord,
  tools: readonly McpTool[],
  onCall: (call: ToolCallRecord) => void,
  /** The marker of the requests that `refuseBeyond` renamed in this body, if it renamed any. */
  refusedMarker?: string,
) {
  const server = new Server(
    { name: 'keyward', version: '2.0.0' },
    {
      capabilities: { tools: {} },
      instructions:
        'DevTune analytics and automation for one project (the API key decides which). Tools are read-only unless ' +
        'their name says update, generate, create, delete or rotate.',
    },
  )
  const allowed = tools.filter((tool) => hasScope(key.scopes, tool.scope))
  const actor: KeyActor = { kind: 'key', key }

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: allowed.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      annotations: tool.annotations,
      inputSchema: tool.inputSchema as { type: 'object' },
      outputSchema: tool.outputSchema as { type: 'object' },
    })),
  }))

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const started = performance.now()
    const name = request.params.name
    const tool = tools.find((t) => t.name === name)
    const finish = (
      errorCode: ErrorCode | null,
      result: CallToolResult,
      reason: ActivityReason | null = null,
    ) => {
      onCall({
        tool,
        name,
        errorCode,
        reason,
        rpcId: extra.requestId,
        latencyMs: performance.now() - started,
      })
      return result
    }
    if (!tool) return finish('not_found', errorResult(`not_found: no tool named ${name}`))
    if (tool.scope !== null && !hasScope(key.scopes, tool.scope)) {
      const text = `forbidden: ${messages.missingScope(tool.scope)}`
      return finish('forbidden', errorResult(text), 'missing_scope')
    }
    const outcome = await tool.call(actor, request.params.arguments)
    if (!outcome.ok) return finish(outcome.code, errorResult(outcome.text))
    return finish(null, {
      content: [{ type: 'text', text: JSON.stringify(outcome.data) }],
      structuredContent: outcome.data,
    })
  })
  // Requests of a batch beyond the key's budget arrive renamed (batch.ts): each is answered with the 429 error.
  server.fallbackRequestHandler = async (request) => {
    const params = request.params as { tool?: string | null; marker?: string } | undefined
    if (request.method !== rateLimitedMethod || !refusedMarker || params?.marker !== refusedMarker)
      throw Object.assign(new Error('Method not found'), { code: -32601 })
    const name = params.tool
    if (name) {
      const tool = tools.find((t) => t.name === name)
      const errorCode = 'rate_limit_exceeded'
      onCall({ tool, name, errorCode, reason: 'rate_limited', rpcId: request.id, latencyMs: 0 })
    }
    throw rateLimitedError()
  }
  return server
}

/** The Agent Activity row of one tool call: method MCP, endpoint = the tool's name. */
export function toolCallActivity(
  key: KeyAuthRecord,
  call: ToolCallRecord,
  request: { at: number; requestId: string; clientIp: string; userAgent: string | null },
): Omit<ActivityEntry, 'id'> {
  return {
    at: request.at,
    accountId: key.accountId,
    projectId: key.projectId,
    keyId: key.id,
    method: 'MCP',
    route: call.name,
    path: '/api/mcp',
    status: call.errorCode === null ? 200 : statusOf[call.errorCode],
    scope: call.tool?.scope ?? null,
    latencyMs: Math.round(call.latencyMs * 100) / 100,
    errorCode: call.errorCode,
    rateLimited: call.errorCode === 'rate_limit_exceeded',
    reason: requestReason(call.reason, key),
    requestedProjectId: null,
    requestId: request.requestId,
    rpcId: String(call.rpcId),
    clientIp: request.clientIp,
    userAgent: request.userAgent,
  }
}
