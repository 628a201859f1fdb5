import fastJsonStringify from 'fast-json-stringify'
import type { FastifySerializerCompiler } from 'fastify'
import { z } from 'zod'

/**
 * Response bodies are written by fast-json-stringify from each route's Zod schema, converted to JSON Schema once
 * per route. Like Zod's own encoding, it writes only the declared fields, so a field a handler did not declare (a
 * secret, an internal flag) never leaves; unlike it, it does not re-validate every field of every response, which
 * cost a keyed list request 15–20 µs. Tests still check every response against the OpenAPI document.
 */
export const responseSerializerCompiler: FastifySerializerCompiler<z.ZodType> = ({ schema }) =>
  fastJsonStringify(
    z.toJSONSchema(schema, { io: 'output', target: 'draft-7' }) as fastJsonStringify.AnySchema,
  )
