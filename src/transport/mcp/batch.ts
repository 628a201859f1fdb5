import { messages } from '../../core/errors.ts'
import { failureData } from '../error-status.ts'

/**
 * A POST body to /api/mcp holds one JSON-RPC message or a batch of them (protocol 2025-03-26; later versions dropped
 * batching, but older clients still send them). Every request in a body costs one rate-limit point before it runs,
 * so packing calls into batches buys nothing.
 */
export const maxMessagesPerBody = 100

/** The method a refused request is turned into: the server answers it with `rateLimitedError`, running nothing. */
export const rateLimitedMethod = 'keyward/rate-limited'

interface JsonRpcRequest {
  jsonrpc: '2.0'
  id: string | number
  method: string
  params?: { name?: unknown } & Record<string, unknown>
}

export const messagesOf = (body: unknown): unknown[] => (Array.isArray(body) ? body : [body])

/** A message that expects an answer (notifications and responses cost nothing of their own). */
export function isRequest(message: unknown): message is JsonRpcRequest {
  const m = message as Partial<JsonRpcRequest> | null
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.method === 'string' &&
    (typeof m.id === 'string' || typeof m.id === 'number')
  )
}

/** The tool a request calls, if it is a `tools/call`. */
export function calledTool(message: unknown): string | null {
  if (!isRequest(message) || message.method !== 'tools/call') return null
  return typeof message.params?.name === 'string' ? message.params.name : null
}

/**
 * The body with every request after the first `granted` replaced by a call of `rateLimitedMethod`, which keeps its
 * id (so the client gets an answer for each) and names what was asked, for the activity row. `marker`, fresh for each
 * request, tells these apart from a client that calls the method itself to forge rows.
 */
export function refuseBeyond(body: unknown, granted: number, marker: string): unknown {
  let seen = 0
  const refuse = (message: unknown) => {
    if (!isRequest(message) || seen++ < granted) return message
    return {
      jsonrpc: '2.0',
      id: message.id,
      method: rateLimitedMethod,
      params: { method: message.method, tool: calledTool(message), marker },
    }
  }
  return Array.isArray(body) ? body.map(refuse) : refuse(body)
}

/** The JSON-RPC error of a request refused by the rate limit: HTTP's 429, carried in `data`. */
export function rateLimitedError(): Error & { code: number; data: object } {
  return Object.assign(new Error(messages.rateLimited), {
    code: -32000,
    data: failureData('rate_limit_exceeded'),
  })
}

/** A JSON-RPC error answer to a whole body (no one request's id), with the envelope's code and status in `data`. */
export const invalidBody = (message: string) => ({
  jsonrpc: '2.0' as const,
  id: null,
  error: { code: -32600, message, data: failureData('bad_request') },
})
