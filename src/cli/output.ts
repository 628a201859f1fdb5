import type { DemoFacts } from '../core/demo.ts'
import { KeywardError } from '../core/errors.ts'
import type { ApiKeyListItem } from '../core/model.ts'

export const iso = (at: number | null) => (at === null ? 'never' : new Date(at).toISOString())

/** A field that holds an instant (`at`, `createdAt`, `previousKeyValidUntil`…), stored as epoch milliseconds. */
const isInstantField = (name: string) => name === 'at' || name.endsWith('At') || name.endsWith('Until')

/**
 * One line of JSON on stdout, with instants as ISO 8601 strings, as the REST API writes them (the stores keep epoch
 * milliseconds).
 */
export function printJson(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (name, field) =>
      typeof field === 'number' && isInstantField(name) ? new Date(field).toISOString() : field,
    )}\n`,
  )
}

/** One clear line on stderr and exit code 1; internal details only for unexpected failures. */
export function fail(error: unknown): never {
  const message =
    error instanceof KeywardError
      ? error.message
      : `internal error: ${error instanceof Error ? error.message : error}`
  process.stderr.write(`keyward: ${message}\n`)
  process.exit(1)
}

/**
 * The demo facts in plain words, with a first request to try against `baseUrl`. `port` is given when no server was
 * started with them (`keyward demo`): the reader is told which port the server will be on, and how to start it.
 */
export function describeDemo(facts: DemoFacts, baseUrl: string, port?: number): string {
  const serve =
    port === undefined
      ? []
      : [`  The server listens on port ${port} (PORT sets it): start it with npx keyward serve.`]
  const projects = facts.projects.map((p) => `    ${p.name}  ${p.id}`).join('\n')
  if (!facts.created) {
    return [
      `The demo account already exists (account ${facts.accountId}); sign in at ${baseUrl} as ${facts.owner.email}.`,
      ...serve,
      `  Projects:\n${projects}\n`,
    ].join('\n')
  }
  return [
    `Created the demo team account (account ${facts.accountId}, plan pro).`,
    ...serve,
    `  Open ${baseUrl} and sign in as ${facts.owner.email} with password ${facts.owner.password}`,
    '  Projects:',
    projects,
    `  Demo API key for ${facts.projects.find((p) => p.id === facts.key?.projectId)?.name} (full access, shown once, keep it safe):`,
    `    ${facts.key?.key}`,
    `  Try it: curl -H "Authorization: Bearer ${facts.key?.key}" \\`,
    `    ${baseUrl}/api/v2/projects/${facts.key?.projectId}/visibility/summary`,
    '',
  ].join('\n')
}

export function keyTable(keys: ApiKeyListItem[]): string {
  if (keys.length === 0) return 'No keys.\n'
  const rows = keys.map((k) => [
    k.id,
    k.name,
    k.prefix,
    k.projectName,
    k.status,
    k.scopes === null ? 'full access' : k.scopes.join(','),
    k.expiresAt === null ? 'never' : iso(k.expiresAt),
    iso(k.lastUsedAt),
    iso(k.createdAt),
  ])
  return table(
    ['ID', 'NAME', 'PREFIX', 'PROJECT', 'STATUS', 'SCOPES', 'EXPIRES', 'LAST USED', 'CREATED'],
    rows,
  )
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  return `${[header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`
}
