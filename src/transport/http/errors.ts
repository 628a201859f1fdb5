import type { FastifyReply } from 'fastify'
import { z } from 'zod'
import { type ErrorCode, errorCodes } from '../../core/errors.ts'

/** The one table from failure code to HTTP status. */
export const statusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rate_limit_exceeded: 429,
  internal_error: 500,
}

export function codeOfStatus(status: number): ErrorCode | null {
  if (status < 400) return null
  const code = errorCodes.find((c) => statusOf[c] === status)
  return code ?? (status < 500 ? 'bad_request' : 'internal_error')
}

export const errorSchema = z
  .object({
    error: z.enum(errorCodes),
    message: z.string(),
    status: z.number().int(),
  })
  .describe('Error')

export const messages = {
  notFound: 'The requested resource was not found',
  rateLimited: 'Rate limit exceeded. Please try again later.',
  internal: 'An unexpected error occurred',
} as const

export function sendError(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  const status = statusOf[code]
  return reply.code(status).type('application/json').send({ error: code, message, status })
}
