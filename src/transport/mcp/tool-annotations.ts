import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js'
import type { KeyedRoute } from '../capabilities/capability.ts'

/**
 * What a client may assume of each tool (MCP's tool annotations), from the route's method: a GET only reads, a
 * PATCH or DELETE changes what exists and is safe to repeat, a POST adds. No tool reaches beyond this server.
 */
const byMethod: Record<KeyedRoute['method'], Omit<ToolAnnotations, 'title' | 'openWorldHint'>> = {
  GET: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  PATCH: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  DELETE: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  POST: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
}

/** The POSTs that are not plain additions. */
const exceptions: Record<string, Partial<ToolAnnotations>> = {
  // The old secret stops signing at once, and each call makes a new one.
  devtune_rotate_webhook_secret: { destructiveHint: true, idempotentHint: false },
  // Repeated calls reuse the brief or the running job: never a second one.
  devtune_generate_action_brief: { idempotentHint: true },
  devtune_whoami: { title: 'Who am I (this API key)' },
}

/** `devtune_get_visibility_summary` → "Get visibility summary". */
export function titleOf(toolName: string): string {
  const words = toolName.replace(/^devtune_/, '').replaceAll('_', ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export function annotationsOf(route: Pick<KeyedRoute, 'method' | 'tool'>): ToolAnnotations {
  return {
    title: titleOf(route.tool.name),
    ...byMethod[route.method],
    openWorldHint: false,
    ...exceptions[route.tool.name],
  }
}
