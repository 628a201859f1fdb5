import type { Command } from 'commander'
import { operator } from '../core/model.ts'
import type { Keyward } from '../main.ts'
import { requireAccount } from './operator.ts'
import { iso, printJson, table } from './output.ts'

type Run<O> = (keyward: Keyward, options: O, args: string[]) => Promise<void>
type WithKeyward = <O extends { json?: boolean }>(run: Run<O>) => (...argv: unknown[]) => Promise<void>

/**
 * `keyward grant list|revoke`: OAuth grants (connected MCP clients) as the operator sees and ends them. A revocation
 * reaches every node at once, through the same notification as a key's.
 */
export function registerGrantCommands(program: Command, withKeyward: WithKeyward): void {
  const grant = program.command('grant').description('OAuth grants: MCP clients users connected')
  grant
    .command('list')
    .description("list an account's grants, newest first")
    .requiredOption('--account <id>', 'account id')
    .action(
      withKeyward<{ account: string; json?: boolean }>(async (keyward, o) => {
        await requireAccount(keyward, o.account)
        const grants = await keyward.services.grants.list(operator, { accountId: o.account })
        if (o.json) return printJson(grants)
        if (grants.length === 0) return void process.stdout.write('No grants.\n')
        const rows = grants.map((g) => [
          g.id,
          g.clientName,
          g.user?.email ?? '(deleted user)',
          g.projectName,
          g.status,
          g.scopes.join(','),
          iso(g.lastUsedAt),
        ])
        process.stdout.write(
          table(['ID', 'CLIENT', 'USER', 'PROJECT', 'STATUS', 'SCOPES', 'LAST USED'], rows),
        )
      }),
    )
  grant
    .command('revoke')
    .description('revoke a grant at once: its tokens are refused on the next request, on every node')
    .argument('<grantId>', 'grant id')
    .action(
      withKeyward<{ json?: boolean }>(async (keyward, o, [grantId]) => {
        const revoked = await keyward.services.grants.revoke(operator, { grantId: grantId ?? '' })
        if (o.json) return printJson(revoked)
        process.stdout.write(
          `Revoked grant of ${revoked.clientName} (${revoked.id}) at ${iso(revoked.revokedAt)}\n`,
        )
      }),
    )
}
