import type { Command } from 'commander'
import { badRequest } from '../core/errors.ts'
import { expiresAtFor } from '../core/expiration.ts'
import type { KeyControlsInput } from '../core/key-controls.ts'
import { operator } from '../core/model.ts'
import type { Keyward } from '../main.ts'
import { showKey } from './operator.ts'
import { printJson } from './output.ts'

type Run<O> = (keyward: Keyward, options: O, args: string[]) => Promise<void>
type WithKeyward = <O extends { json?: boolean }>(run: Run<O>) => (...argv: unknown[]) => Promise<void>

/** The control flags as given: an empty value clears the control (`--allow-ip ''`, `--tags ''`). */
export interface ControlOptions {
  allowIp?: string
  rateLimit?: string
  description?: string
  tags?: string
}

const split = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

/** The options `key create` and `key update` share (issue #16 §3); additive, so other flags sit beside them. */
export function addControlOptions(command: Command): Command {
  return command
    .option(
      '--allow-ip <cidrs>',
      "comma-separated IPv4/IPv6 CIDRs the key may be used from ('' = any address)",
    )
    .option('--rate-limit <n>', "requests per minute, at most the plan's ('none' = the plan's)")
    .option('--description <text>', "what the key is for ('' clears it)")
    .option('--tags <list>', "comma-separated tags ('' clears them)")
}

/** The flags given, as the core's input; the core validates every value (exit 1 and nothing changed otherwise). */
export function controlsFromOptions(o: ControlOptions): KeyControlsInput {
  const controls: KeyControlsInput = {}
  if (o.allowIp !== undefined) controls.allowedIps = split(o.allowIp)
  if (o.rateLimit !== undefined) {
    const text = o.rateLimit.trim()
    // Not a whole number: NaN, which the core refuses with the plan's range in its message.
    controls.rateLimitPerMinute = text === 'none' ? null : /^\d+$/.test(text) ? Number(text) : Number.NaN
  }
  if (o.description !== undefined) controls.description = o.description
  if (o.tags !== undefined) controls.tags = split(o.tags)
  return controls
}

/** `keyward key update|disable|enable KEY_ID`: one `update` for the expiry (issue 15 §2) and the controls (16 §3). */
export function registerKeyControlCommands(key: Command, withKeyward: WithKeyward): void {
  addControlOptions(
    key
      .command('update')
      .description(
        "change an active key's expiry (counted from now), IP allowlist, rate limit, description or tags",
      )
      .argument('<keyId>', 'key id')
      .option('--expires <when>', 'never, 30d, 60d, 90d, 180d, 1y, a duration from 1h to 366d, or a date'),
  ).action(
    withKeyward<ControlOptions & { expires?: string; json?: boolean }>(async (keyward, o, [keyId]) => {
      const controls = controlsFromOptions(o)
      if (Object.keys(controls).length === 0 && o.expires === undefined)
        throw badRequest('Give at least one of --expires, --allow-ip, --rate-limit, --description, --tags')
      // A malformed expiry is refused before anything changes; the policy's check comes with the change itself.
      if (o.expires !== undefined) expiresAtFor(o.expires, keyward.clock())
      if (Object.keys(controls).length > 0)
        await keyward.services.keys.updateControls(operator, { keyId: keyId ?? '', ...controls })
      if (o.expires !== undefined)
        await keyward.services.keys.updateExpiry(operator, { keyId: keyId ?? '', expires: o.expires })
      await showKey(keyward, o, keyId ?? '')
    }),
  )

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    key
      .command(name)
      .description(disabled ? 'pause a key without revoking it (requests get 401)' : 'resume a disabled key')
      .argument('<keyId>', 'key id')
      .action(
        withKeyward<{ json?: boolean }>(async (keyward, o, [keyId]) => {
          const changed = await keyward.services.keys.setDisabled(operator, { keyId: keyId ?? '', disabled })
          if (o.json) return printJson(changed)
          process.stdout.write(
            `Key ${changed.name} (${changed.id}) is ${disabled ? 'disabled' : 'enabled'}.\n`,
          )
        }),
      )
  }
}
