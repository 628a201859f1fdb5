import type { Command } from 'commander'
import { badRequest } from '../core/errors.ts'
import { operator } from '../core/model.ts'
import type { Keyward } from '../main.ts'
import { printJson } from './output.ts'

type Run<O> = (keyward: Keyward, options: O, args: string[]) => Promise<void>
type WithKeyward = <O extends { json?: boolean }>(run: Run<O>) => (...argv: unknown[]) => Promise<void>

/** `keyward account rename|transfer|delete`: the Team → Settings actions, as the host's operator. */
export function teamSettingsCommands(account: Command, withKeyward: WithKeyward) {
  account
    .command('rename <accountId>')
    .description("change a team's name and/or slug")
    .option('--name <name>', 'new name')
    .option('--slug <slug>', 'new slug (2–48 of a-z, 0-9 and single hyphens)')
    .action(
      withKeyward<{ name?: string; slug?: string; json?: boolean }>(async (keyward, o, [accountId = '']) => {
        if (o.name === undefined && o.slug === undefined) throw badRequest('Give --name, --slug or both')
        const updated = await keyward.services.teamSettings.update(operator, {
          accountId,
          name: o.name,
          slug: o.slug,
        })
        if (o.json) return printJson(updated)
        process.stdout.write(`Account ${updated.id} is now ${updated.name} (${updated.slug})\n`)
      }),
    )

  account
    .command('transfer <accountId>')
    .description('make another member the primary owner (an Owner if they were not)')
    .requiredOption('--to-email <email>', "the new primary owner's email; they must be a member")
    .action(
      withKeyward<{ toEmail: string; json?: boolean }>(async (keyward, o, [accountId = '']) => {
        const user = await keyward.users.findByEmail(o.toEmail.trim().toLowerCase())
        if (!user) throw badRequest(`No user with the email ${o.toEmail}`)
        const settings = await keyward.services.teamSettings.transfer(operator, {
          accountId,
          userId: user.id,
        })
        if (o.json) return printJson({ accountId, primaryOwner: settings.primaryOwner })
        process.stdout.write(`${user.email} is now the primary owner of ${settings.account.name}\n`)
      }),
    )

  account
    .command('delete <accountId>')
    .description(
      'delete a team: revokes every key, removes members, invitations and webhooks (soft; history stays)',
    )
    .requiredOption('--confirm <name>', "the team's name, exactly")
    .action(
      withKeyward<{ confirm: string; json?: boolean }>(async (keyward, o, [accountId = '']) => {
        const deleted = await keyward.services.teamSettings.delete(operator, {
          accountId,
          confirmName: o.confirm,
        })
        if (o.json) return printJson({ deleted: true, ...deleted })
        process.stdout.write(
          `Deleted: ${deleted.keysRevoked} keys revoked, ${deleted.membersRemoved} members removed, ` +
            `${deleted.invitationsRevoked} invitations and ${deleted.webhooksDeleted} webhooks ended\n`,
        )
      }),
    )
}
