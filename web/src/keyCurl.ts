import type { ScopeGuide } from './api.ts'

/**
 * A ready-to-run request for a new key: the first plain GET endpoint of the project that its scopes open (from the
 * server's scope guide), or the key introspection endpoint, which any valid key may call.
 */
export function curlForKey(input: {
  origin: string
  projectId: string
  scopes: readonly string[] | null
  rawKey: string
  guide: ScopeGuide['data'] | undefined
}): string {
  const held = (scope: string) => input.scopes === null || input.scopes.includes(scope)
  const endpoint = (input.guide ?? [])
    .filter((entry) => held(entry.scope))
    .flatMap((entry) => entry.endpoints)
    .map((label) => /^GET ([^{}\s]+)$/.exec(label)?.[1])
    .find((path) => path !== undefined)
  const url = endpoint
    ? `${input.origin}/api/v2/projects/${input.projectId}/${endpoint}`
    : `${input.origin}/api/v2/key`
  return `curl -sS ${url} \\\n  -H "Authorization: Bearer ${input.rawKey}"`
}
