import type { Command } from 'commander'
import { operator } from '../core/model.ts'
import type { Keyward } from '../main.ts'
import { iso, printJson } from './output.ts'

type WithKeyward = <O extends { json?: boolean }>(
  run: (keyward: Keyward, options: O, args: string[]) => Promise<void>,
) => (...argv: unknown[]) => Promise<void>

/** `key rotate` and `key update`: a key's secret and lifetime after its creation (issue 15 §1–2). */
export function addKeyLifecycleCommands(key: Command, withKeyward: WithKeyward): void {
  key
    .command('rotate')
    .description(
      'roll a key: a new secret (printed once) for the same key; the previous one stays valid for --grace',
    )
    .argument('<keyId>', 'key id')
    .option(
      '--grace <duration>',
      '0 (refuse the previous secret at once), 1h, 24h, 7d, 30d or any up to 30d',
      '24h',
    )
    .action(
      withKeyward<{ grace: string; json?: boolean }>(async (keyward, o, [keyId]) => {
        const rotated = await keyward.services.keys.rotate(operator, { keyId: keyId ?? '', grace: o.grace })
        const { id, key: secret, prefix, previousKeyValidUntil } = rotated
        if (o.json) return printJson({ id, key: secret, prefix, previousKeyValidUntil })
        const grace =
          previousKeyValidUntil === rotated.rotatedAt
            ? 'the previous secret is refused from now on'
            : `the previous secret works until ${iso(previousKeyValidUntil)}`
        process.stdout.write(
          `Rolled key ${rotated.name} (${id}); ${grace}.\nNew key (shown once, keep it safe): ${secret}\n`,
        )
      }),
    )
  key
    .command('update')
    .description("change an active key's expiry, counted from now")
    .argument('<keyId>', 'key id')
    .requiredOption(
      '--expires <when>',
      'never, 30d, 60d, 90d, 180d, 1y, a duration from 1h to 366d, or a date',
    )
    .action(
      withKeyward<{ expires: string; json?: boolean }>(async (keyward, o, [keyId]) => {
        const changed = await keyward.services.keys.updateExpiry(operator, {
          keyId: keyId ?? '',
          expires: o.expires,
        })
        if (o.json) return printJson(changed)
        process.stdout.write(`Key ${changed.name} (${changed.id}) now expires ${iso(changed.expiresAt)}.\n`)
      }),
    )
}
