import { z } from 'zod'
import type { KeyActor } from '../../core/model.ts'
import type { Scope } from '../../core/scopes.ts'

type AnyObject = z.ZodObject<z.ZodRawShape>

export interface RouteContext<P, Q, B> {
  /** The calling key as the use-cases take it, built once per request by the transport. */
  actor: KeyActor
  projectId: string
  params: P
  query: Q
  body: B
}

/**
 * One public API route: where it lives, the scope it needs, its input and output schemas, and a handler that
 * calls one use-case. The pipeline (authentication, project, plan, scope, rate limit, activity) is applied to
 * every entry by `registerKeyedRoutes`; handlers never check a scope.
 */
export interface KeyedRoute<P = unknown, Q = unknown, B = unknown, R = unknown> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  /**
   * Relative to /api/v2: under /projects/:projectId, except `/key`, which is about the key itself (its project is
   * the key's own).
   */
  path: `/projects/:projectId${string}` | '/key'
  operationId: string
  summary: string
  /**
   * The same capability as an MCP tool: its `devtune_*` name and a description written for an agent (what it
   * answers, units, windows). Its input is the route's path (without projectId), query and body schemas merged.
   */
  tool: { name: `devtune_${string}`; description: string }
  /** The scope a key needs; null when any valid key may call it (introspection). */
  scope: Scope | null
  params?: AnyObject
  query?: AnyObject
  body?: z.ZodType
  status?: 200 | 201
  /** The schema of `data` (or of the whole body when `envelope` is false). */
  response: z.ZodType<R>
  /** DevTune answers a few routes (webhook delete) without the `{data, meta}` envelope. */
  envelope?: boolean
  handle(context: RouteContext<P, Q, B>): Promise<R>
}

/** Infers the handler's types from the schemas. */
export function keyedRoute<
  PS extends AnyObject | undefined = undefined,
  QS extends AnyObject | undefined = undefined,
  BS extends z.ZodType | undefined = undefined,
  R = unknown,
>(
  route: Omit<KeyedRoute, 'params' | 'query' | 'body' | 'response' | 'handle'> & {
    params?: PS
    query?: QS
    body?: BS
    response: z.ZodType<R>
    handle(
      context: RouteContext<
        PS extends AnyObject ? z.output<PS> : Record<string, never>,
        QS extends AnyObject ? z.output<QS> : Record<string, never>,
        BS extends z.ZodType ? z.output<BS> : undefined
      >,
    ): Promise<R>
  },
): KeyedRoute {
  return route as unknown as KeyedRoute
}

export const projectIdParam = z.uuid().describe('The project the API key belongs to')

export const meta = z.object({ timestamp: z.iso.datetime(), projectId: z.uuid() })
