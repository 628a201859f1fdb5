import { type Scope, scopeCatalogue } from '../../core/scopes.ts'
import type { KeyedRoute } from './capability.ts'

/** What one scope opens: its REST endpoints (relative to the project) and its MCP tools. */
export interface ScopeGuideEntry {
  scope: Scope
  endpoints: string[]
  tools: string[]
}

/** `GET visibility/summary`, `PATCH actions/{actionId}`: as DESIGN.md and DevTune's docs write them. */
function endpointLabel(route: Pick<KeyedRoute, 'method' | 'path'>): string {
  const relative = route.path.replace(/^\/projects\/:projectId\/?/, '').replace(/:(\w+)/g, '{$1}')
  return `${route.method} ${relative}`
}

/**
 * Every scope of the catalogue with the routes that require it, read from the capability table itself, so the
 * dashboard's scope descriptions cannot drift from what the API enforces.
 */
export function scopeGuide(
  routes: readonly Pick<KeyedRoute, 'method' | 'path' | 'scope' | 'tool'>[],
): ScopeGuideEntry[] {
  return scopeCatalogue.map((scope) => {
    const opened = routes.filter((route) => route.scope === scope)
    return { scope, endpoints: opened.map(endpointLabel), tools: opened.map((route) => route.tool.name) }
  })
}
