import type { Command } from 'commander'
import { type KeyPolicy, type KeyPolicyChange, parseMaxLifetime } from '../core/key-policy.ts'
import { operator } from '../core/model.ts'
import type { Keyward } from '../main.ts'
import { requireAccount } from './operator.ts'
import { printJson } from './output.ts'

export interface KeyPolicyOptions {
  account: string
  maxLifetime?: string
  requireExpiry?: boolean
  defaultScopes?: string
  leakResponse?: string
  /** `--mcp-keys` / `--no-mcp-keys` (commander's camel case). */
  mcpKeys?: boolean
  /** `--mcp-oauth` / `--no-mcp-oauth`. */
  mcpOauth?: boolean
  json?: boolean
}

/**
 * `keyward account policy`: prints the account's API key policy, or changes the fields given (as the operator, who
 * may do what an Owner may). Bad input exits 1 and changes nothing: the whole change is validated before it is saved.
 */
export async function keyPolicyCommand(keyward: Keyward, o: KeyPolicyOptions): Promise<void> {
  await requireAccount(keyward, o.account)
  const change: KeyPolicyChange = {}
  if (o.maxLifetime !== undefined) change.maxLifetimeDays = parseMaxLifetime(o.maxLifetime)
  if (o.requireExpiry !== undefined) change.requireExpiry = o.requireExpiry
  if (o.defaultScopes !== undefined) change.defaultScopes = o.defaultScopes as KeyPolicy['defaultScopes']
  if (o.leakResponse !== undefined) change.leakResponse = o.leakResponse as KeyPolicy['leakResponse']
  if (o.mcpKeys !== undefined) change.mcpKeys = o.mcpKeys
  if (o.mcpOauth !== undefined) change.mcpOAuth = o.mcpOauth
  const policy =
    Object.keys(change).length === 0
      ? await keyward.services.keyPolicy.get(operator, { accountId: o.account })
      : await keyward.services.keyPolicy.update(operator, { accountId: o.account, change })
  if (o.json) return printJson({ accountId: o.account, ...policy })
  process.stdout.write(describePolicy(policy))
}

function describePolicy(policy: KeyPolicy): string {
  const lines: Array<[string, string]> = [
    ['Require expiry', policy.requireExpiry ? 'yes' : 'no'],
    ['Max lifetime', policy.maxLifetimeDays === null ? 'none' : `${policy.maxLifetimeDays} days`],
    ['Default scopes', policy.defaultScopes === 'read' ? 'read (read-only)' : 'all (full access)'],
    ['Leak response', policy.leakResponse],
    ['MCP with keys', policy.mcpKeys ? 'allowed' : 'off'],
    ['MCP with OAuth', policy.mcpOAuth ? 'allowed' : 'off'],
  ]
  return lines.map(([label, value]) => `${`${label}:`.padEnd(16)}${value}\n`).join('')
}

/** The command's options, declared beside what reads them. */
export function keyPolicyOptions(command: Command): Command {
  return command
    .requiredOption('--account <id>', 'account id')
    .option('--max-lifetime <days>', 'the longest a key may live, 1d to 366d (e.g. 90d), or none')
    .option('--require-expiry', 'every new key must have an expiration')
    .option('--no-require-expiry', 'new keys may never expire (unless --max-lifetime is set)')
    .option(
      '--default-scopes <preset>',
      'all (full access) or read (read-only): what new keys get by default',
    )
    .option('--leak-response <response>', 'revoke or notify: what a leak report does to the key')
    .option('--mcp-keys', 'API keys may call the MCP endpoint (the default)')
    .option('--no-mcp-keys', 'API keys may not call the MCP endpoint (the REST API still takes them)')
    .option('--mcp-oauth', 'OAuth access tokens may call the MCP endpoint (the default)')
    .option('--no-mcp-oauth', 'OAuth access tokens may not call the MCP endpoint')
}
