import { type ErrorCode, errorCodes } from '../core/errors.ts'

/**
 * The one table from failure code to status. REST answers with it, MCP carries it in its errors' `data`, and both
 * write it into Agent Activity rows, so a code means the same status wherever it surfaces.
 */
export const statusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  rate_limit_exceeded: 429,
  internal_error: 500,
}

/** The code of a status, for rows written after the answer: a status HTTP names more precisely maps to the nearest. */
export function codeOfStatus(status: number): ErrorCode | null {
  if (status < 400) return null
  const code = errorCodes.find((c) => statusOf[c] === status)
  return code ?? (status < 500 ? 'bad_request' : 'internal_error')
}

/**
 * The envelope's fields: `{ error, message, status }` over HTTP, and (without the message, which the JSON-RPC error
 * carries itself) MCP's `data`. `status` differs from the code's own only for a refusal HTTP names more precisely.
 */
export const failure = (code: ErrorCode, message: string, status: number = statusOf[code]) => ({
  error: code,
  message,
  status,
})
export const failureData = (code: ErrorCode, status: number = statusOf[code]) => ({ error: code, status })
