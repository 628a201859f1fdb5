import { z } from 'zod'
import type { KeyAuthRecord } from '../../core/model.ts'
import { scopeCatalogue } from '../../core/scopes.ts'
import { keyedRoute } from './capability.ts'

export const keyInfoSchema = z.object({
  id: z.string().min(1).describe("The key's id (a UUID); for an OAuth connection on MCP, its grant's id"),
  name: z.string().describe("The key's name; for an OAuth connection, the client's name"),
  prefix: z
    .string()
    .describe('The first characters of the key, as the dashboard shows them; empty for an OAuth connection'),
  projectId: z.uuid(),
  scopes: z.array(z.enum(scopeCatalogue)).describe('Every scope the key holds; full access lists them all'),
  expiresAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  rateLimit: z.object({
    limit: z.number().int().describe('Requests per minute'),
    remaining: z.number().int().describe('Left in the current window, after this request'),
    resetAt: z.iso.datetime().describe('When the current window ends'),
  }),
})

/** Introspection: the calling key, its scopes and its budget. Any valid key may ask; no scope is needed. */
export function keyRoutes(ownKey: (key: KeyAuthRecord) => Promise<z.input<typeof keyInfoSchema>>) {
  return [
    keyedRoute({
      method: 'GET',
      path: '/key',
      operationId: 'getCurrentKey',
      summary: 'The calling key: its project, scopes, expiry and rate-limit budget',
      tool: {
        name: 'devtune_whoami',
        description:
          'Describes the API key this connection uses: id, name, prefix, its project, the scopes it holds (every ' +
          'scope when it has full access), expiresAt and createdAt (ISO 8601, null when it never expires), and its ' +
          'rate limit (requests per minute, remaining in the current window, resetAt). Call it to check access ' +
          'before calling a tool that needs a scope.',
      },
      scope: null,
      response: keyInfoSchema,
      handle: ({ actor }) => ownKey(actor.key),
    }),
  ]
}
