import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { type ErrorCode, errorCodes, KeywardError, messages } from '../core/errors.ts'
import { codeOfStatus, failure, statusOf } from './error-status.ts'

export const errorSchema = z
  .object({
    error: z.enum(errorCodes),
    message: z.string(),
    status: z.number().int(),
  })
  .describe('Error')

/**
 * The envelope. `status` is always the HTTP status; it differs from the code's own only for a refusal HTTP names more
 * precisely (413, 415, 431), which keeps `error` in the documented set while the status says exactly what.
 */
export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  status: number = statusOf[code],
): FastifyReply {
  return reply
    .code(status)
    .type('application/json')
    .send(failure(code, message, status))
}

const where = {
  body: 'request body',
  querystring: 'query parameters',
  params: 'path parameters',
  headers: 'headers',
}

/** What a parameter may be, when its schema says: `(allowed: 30, 90)`, `(allowed: 1 to 90)`. */
function allowedOf(keyword: string, params: Record<string, unknown>): string {
  if (keyword === 'invalid_value' && Array.isArray(params.values))
    return ` (allowed: ${params.values.join(', ')})`
  if (keyword === 'too_big' && params.maximum !== undefined) return ` (at most ${params.maximum})`
  if (keyword === 'too_small' && params.minimum !== undefined) return ` (at least ${params.minimum})`
  return ''
}

/**
 * 400 naming the parameters, as DevTune words it: "Invalid query parameters: windowDays (allowed: 30, 90)". The
 * allowed values are named where the schema has a list or a bound, so a client can correct itself.
 */
function validationMessage(error: FastifyError): string {
  const fields = new Map<string, string>()
  for (const v of error.validation ?? []) {
    const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.')
    const params = (v.params ?? {}) as Record<string, unknown>
    // An unknown field has no path of its own: name the field instead.
    const unknown = v.keyword === 'unrecognized_keys' ? ((params.keys as string[] | undefined) ?? []) : []
    if (unknown.length > 0) for (const key of unknown) fields.set(path ? `${path}.${key}` : key, '')
    else if (!fields.get(path || '(root)')) fields.set(path || '(root)', allowedOf(v.keyword, params))
  }
  const context = where[(error.validationContext ?? 'body') as keyof typeof where] ?? 'input'
  return `Invalid ${context}: ${[...fields].map(([field, allowed]) => field + allowed).join(', ')}`
}

/** The envelope for every failure of the JSON APIs: 400 for invalid input, the code's status, or a bare 500. */
export function apiErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(error))
    return sendError(reply, 'bad_request', validationMessage(error))
  if (error instanceof KeywardError) return sendError(reply, error.code, error.message)
  // Fastify's own refusals (a body too large or of another type, malformed JSON) keep their status.
  const status = error.statusCode
  if (status && status >= 400 && status < 500) {
    return sendError(reply, codeOfStatus(status) ?? 'bad_request', error.message, status)
  }
  request.log.error({ err: error }, 'unexpected error')
  return sendError(reply, 'internal_error', messages.internal)
}
