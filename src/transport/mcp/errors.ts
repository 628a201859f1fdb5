import { requestBodyTooLargeMessage } from '@modelcontextprotocol/sdk/server/requestBody.js'
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { apiErrorHandler } from '../error-envelope.ts'
import { failureData } from '../error-status.ts'

/** JSON-RPC's "server error" range; the SDK's transport answers its HTTP-level refusals with it. */
const serverError = -32000

/**
 * A body Fastify could not read for /api/mcp (over the limit, not JSON, of another type) is a JSON-RPC error, so it
 * is answered in JSON-RPC exactly as the SDK's transport would have answered had it read the body itself: the same
 * status, code and message, `id: null` (MCP's Streamable HTTP: an HTTP error status whose body may be a JSON-RPC
 * error without id), with the envelope's code and status in `data`. Every other failure is an HTTP one and gets the
 * APIs' envelope.
 */
export function mcpErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500
  if (!error.code?.startsWith('FST_ERR_CTP_') || status < 400 || status >= 500)
    return apiErrorHandler(error, request, reply)
  const [code, message] =
    status === 413
      ? [serverError, requestBodyTooLargeMessage(request.routeOptions.bodyLimit)]
      : status === 415
        ? [serverError, 'Unsupported Media Type: Content-Type must be application/json']
        : [ErrorCode.ParseError, 'Parse error: Invalid JSON']
  return reply
    .code(status)
    .type('application/json')
    .send({ jsonrpc: '2.0', error: { code, message, data: failureData('bad_request', status) }, id: null })
}
