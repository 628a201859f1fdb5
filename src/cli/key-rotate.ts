import type { Command } from 'commander'
import { operator } from '../core/model.ts'
import type { Keyward } from '../main.ts'
import { iso, printJson } from './output.ts'

type WithKeyward = <O extends { json?: boolean }>(
  run: (keyward: Keyward, options: O, args: string[]) => Promise<void>,
) => (...argv: unknown[]) => Promise<void>

/** `key rotate`: a new secret for the same key (issue 15 §1); `key update --expires` is in key-controls.ts. */
export function addKeyRotateCommand(key: Command, withKeyward: WithKeyward): void {
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
}
