import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { type ErrorCode, KeywardError } from '../../core/errors.ts'
import type { KeyActor } from '../../core/model.ts'
import type { Scope } from '../../core/scopes.ts'
import type { KeyedRoute } from '../capabilities/capability.ts'
import { annotationsOf } from './tool-annotations.ts'

/** One MCP tool, derived from one REST route: same scope, same schemas, same use-case, same data. */
export interface McpTool {
  name: string
  /** For people: what a client shows instead of the name. */
  title: string
  description: string
  /** What a client may assume: read-only or not, destructive, idempotent; never open-world. */
  annotations: ToolAnnotations
  /** null: any valid key may call it (devtune_whoami). */
  scope: Scope | null
  inputSchema: Record<string, unknown>
  outputSchema: Record<string, unknown>
  call(actor: KeyActor, args: unknown): Promise<ToolOutcome>
}

export type ToolOutcome =
  | { ok: true; data: Record<string, unknown> }
  | { ok: false; code: ErrorCode; text: string }

type AnyObject = z.ZodObject<z.ZodRawShape>

const shapeOf = (schema: z.ZodType | undefined): z.ZodRawShape =>
  schema instanceof z.ZodObject ? (schema as AnyObject).shape : {}

const pick = (args: Record<string, unknown>, schema: z.ZodType | undefined) =>
  Object.fromEntries(
    Object.keys(shapeOf(schema))
      .map((k) => [k, args[k]])
      .filter(([, v]) => v !== undefined),
  )

/** JSON Schema as MCP wants it: an object schema, without the $schema marker. */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>
  return rest
}

/**
 * The tool's arguments are the route's path parameters (never projectId: a tool always works on the key's own
 * project), query and body, merged into one object and validated with the route's own schemas.
 */
export function toolFromRoute(route: KeyedRoute): McpTool {
  const input = z
    .object({ ...shapeOf(route.params), ...shapeOf(route.query), ...shapeOf(route.body) })
    .strict()
  const annotations = annotationsOf(route)
  return {
    name: route.tool.name,
    title: annotations.title ?? route.tool.name,
    annotations,
    description: `${route.tool.description} ${route.scope ? `Requires the ${route.scope} scope.` : 'Needs no scope.'}`,
    scope: route.scope,
    inputSchema: jsonSchema(input),
    outputSchema: jsonSchema(route.response),
    async call(actor, rawArgs) {
      const parsed = input.safeParse(rawArgs ?? {})
      if (!parsed.success) {
        const fields = [
          ...new Set(
            parsed.error.issues.map(
              (i) => i.path.join('.') || (i as { keys?: string[] }).keys?.join(', ') || '(root)',
            ),
          ),
        ]
        return {
          ok: false,
          code: 'bad_request',
          text: `bad_request: Invalid arguments: ${fields.join(', ')}`,
        }
      }
      const args = parsed.data as Record<string, unknown>
      try {
        const data = await route.handle({
          actor,
          projectId: actor.key.projectId,
          params: route.params ? route.params.parse(pick(args, route.params)) : {},
          query: route.query ? route.query.parse(pick(args, route.query)) : {},
          body: route.body ? route.body.parse(pick(args, route.body)) : undefined,
        })
        return { ok: true, data: data as Record<string, unknown> }
      } catch (error) {
        if (!(error instanceof KeywardError)) throw error
        return { ok: false, code: error.code, text: `${error.code}: ${error.message}` }
      }
    },
  }
}
