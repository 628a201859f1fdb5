import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Command, InvalidArgumentError } from 'commander'
import { loadConfig } from '../config.ts'
import { validateAccountInput } from '../core/accounts.ts'
import { ensureDemo } from '../core/demo.ts'
import { badRequest } from '../core/errors.ts'
import { createKeyFormat } from '../core/key-format.ts'
import { operator } from '../core/model.ts'
import { composeKeyward, type Keyward } from '../main.ts'
import { migrateToLatest, openDatabase } from '../storage/database.ts'
import { type ActivityListOptions, listActivity } from './activity.ts'
import { type ExportOptions, exportToStdout } from './export.ts'
import { registerGrantCommands } from './grants.ts'
import { importFile } from './import.ts'
import {
  addControlOptions,
  type ControlOptions,
  controlsFromOptions,
  registerKeyControlCommands,
} from './key-controls.ts'
import { type KeyPolicyOptions, keyPolicyCommand, keyPolicyOptions } from './key-policy.ts'
import { addKeyRotateCommand } from './key-rotate.ts'
import { runLifecycleCommand } from './lifecycle.ts'
import { listAccounts, listProjects, requireAccount, showKey } from './operator.ts'
import { describeDemo, fail, iso, keyTable, printJson } from './output.ts'
import { teamSettingsCommands } from './team-settings.ts'
import { testWebhook } from './webhook-test.ts'
import { createWebhookCommand, listWebhooksCommand } from './webhooks.ts'

const config = loadConfig()

/** Runs one command against a composed Keyward, closing the database whatever happens. */
function withKeyward<O extends { json?: boolean }>(
  run: (keyward: Keyward, options: O, args: string[]) => Promise<void>,
) {
  return async (...argv: unknown[]) => {
    const command = argv.at(-1) as Command
    const keyward = await composeKeyward(config).catch(fail)
    try {
      await run(keyward, command.optsWithGlobals() as O, command.args)
    } catch (error) {
      await keyward.close()
      fail(error)
    }
    await keyward.close()
  }
}

const port = (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('not a port number')
  return n
}
const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

const limit = (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new InvalidArgumentError('a whole number from 1 to 1000')
  return n
}

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))

/** The whole CLI; `run.ts` parses the command line with it, tests read its help. */
export const program = new Command('keyward')
  .description('Keyward: project-scoped API keys, a REST API v2, an MCP server and an audit log')
  .version(version, '-V, --version', 'print the version')
  .option('--json', 'machine-readable output (one JSON document on stdout; times in ISO 8601)')
  // Every subcommand's help lists --json too (settings made here are inherited by the subcommands made after).
  .configureHelp({ showGlobalOptions: true })

program
  .command('serve')
  .description('serve the dashboard, REST API and MCP on PORT (default 3000)')
  .option('--port <n>', 'port to listen on', port)
  .option('--demo', 'create the demo account first when the database is empty')
  .action(async (options: { port?: number; demo?: boolean }, command: Command) => {
    const json = Boolean(command.optsWithGlobals().json)
    const { serve } = await import('./serve.ts')
    await serve(
      { ...config, port: options.port ?? config.port },
      { demo: Boolean(options.demo), json },
    ).catch(fail)
  })

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async (_options, command: Command) => {
    const database = openDatabase(config.databaseUrl)
    try {
      const applied = await migrateToLatest(database.db)
      if (command.optsWithGlobals().json) printJson({ applied })
      else
        process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Schema is up to date.\n')
    } catch (error) {
      await database.close()
      fail(error)
    }
    await database.close()
  })

const account = program.command('account').description('team accounts')
account
  .command('list')
  .description('list every account of this host')
  .action(withKeyward<{ json?: boolean }>((keyward, o) => listAccounts(keyward, o)))
account
  .command('create')
  .description(
    'create a team account; --owner-email makes that user its owner (created with a new password if new)',
  )
  .requiredOption('--name <name>', 'account name')
  .option('--plan <plan>', 'free, plus, pro or enterprise', 'pro')
  .option('--owner-email <email>', 'owner of the account')
  .action(
    withKeyward<{ name: string; plan: string; ownerEmail?: string; json?: boolean }>(async (keyward, o) => {
      validateAccountInput(o) // before a new owner is created, so that bad input changes nothing
      let owner: { userId: string; email: string; password?: string } | undefined
      if (o.ownerEmail) {
        const existing = await keyward.users.findByEmail(o.ownerEmail)
        if (existing) owner = { userId: existing.id, email: existing.email }
        else {
          if (!/^[^@\s]+@[^@\s]+$/.test(o.ownerEmail)) throw badRequest(`Invalid email: ${o.ownerEmail}`)
          const password = randomBytes(15).toString('base64url')
          const user = await keyward.users.createWithPassword({
            email: o.ownerEmail,
            name: o.ownerEmail.split('@')[0] ?? '',
            password,
          })
          owner = { userId: user.id, email: user.email, password }
        }
      }
      const created = await keyward.services.accounts.create(operator, {
        name: o.name,
        plan: o.plan,
        ownerUserId: owner?.userId,
      })
      if (o.json) return printJson({ ...created, owner: owner ?? null })
      process.stdout.write(
        `Created account ${created.name} (${created.slug}, plan ${created.plan}): ${created.id}\n`,
      )
      if (owner) {
        const credentials = owner.password ? ` with new password ${owner.password}` : ''
        process.stdout.write(`Owner: ${owner.email}${credentials}\n`)
      }
    }),
  )

keyPolicyOptions(
  account
    .command('policy')
    .description("show the account's API key policy, or change the fields given (as an Owner would)"),
).action(withKeyward<KeyPolicyOptions>((keyward, o) => keyPolicyCommand(keyward, o)))
teamSettingsCommands(account, withKeyward)

const project = program.command('project').description('projects')
project
  .command('list')
  .description("list an account's projects")
  .requiredOption('--account <id>', 'account id')
  .action(withKeyward<{ account: string; json?: boolean }>((keyward, o) => listProjects(keyward, o)))
project
  .command('create')
  .description('create a project in an account')
  .requiredOption('--account <id>', 'account id')
  .requiredOption('--name <name>', 'project name')
  .action(
    withKeyward<{ account: string; name: string; json?: boolean }>(async (keyward, o) => {
      const project = await keyward.services.projects.create(operator, { accountId: o.account, name: o.name })
      if (o.json) return printJson(project)
      process.stdout.write(`Created project ${project.name}: ${project.id}\n`)
    }),
  )

const key = program.command('key').description('API keys')
addControlOptions(
  key
    .command('create')
    .description('create a project-scoped API key; the raw key is printed once')
    .requiredOption('--project <id>', 'project id')
    .requiredOption('--name <name>', 'key name')
    .option(
      '--scopes <list>',
      'comma-separated scopes, or "all" (default: the account key policy\'s preset, all unless set to read)',
      list,
    )
    .option(
      '--expires <when>',
      'never, 30d, 60d, 90d, 180d, 1y, a duration from 1h to 366d (2h, 45d) or a date (2027-03-01)',
      'never',
    ),
).action(
  withKeyward<
    { project: string; name: string; scopes?: string[]; expires: string; json?: boolean } & ControlOptions
  >(async (keyward, o) => {
    // No --scopes: the core applies the account key policy's default preset.
    const scopes = o.scopes?.length === 1 && o.scopes[0] === 'all' ? null : o.scopes
    const created = await keyward.services.keys.create(operator, {
      projectId: o.project,
      name: o.name,
      scopes,
      expires: o.expires,
      controls: controlsFromOptions(o),
    })
    if (o.json) return printJson(created)
    process.stdout.write(
      `Created key ${created.name} (${created.id}), scopes ${created.scopes?.join(',') ?? 'full access'}, expires ${iso(created.expiresAt)}.\n` +
        `Key (shown once, keep it safe): ${created.key}\n`,
    )
  }),
)
key
  .command('list')
  .description('list every key of an account')
  .requiredOption('--account <id>', 'account id')
  .option('--hide-revoked', 'leave revoked keys out')
  .action(
    withKeyward<{ account: string; hideRevoked?: boolean; json?: boolean }>(async (keyward, o) => {
      await requireAccount(keyward, o.account)
      const keys = await keyward.services.keys.list(operator, {
        accountId: o.account,
        hideRevoked: Boolean(o.hideRevoked),
      })
      if (o.json) return printJson(keys)
      process.stdout.write(keyTable(keys))
    }),
  )
key
  .command('show')
  .description('show one key: project, status, scopes, expiration, last use (never the key itself)')
  .argument('<keyId>', 'key id')
  .action(withKeyward<{ json?: boolean }>((keyward, o, [keyId]) => showKey(keyward, o, keyId ?? '')))
key
  .command('rescope')
  .description("change a key's scopes at once: --scopes a,b or --all (full access)")
  .argument('<keyId>', 'key id')
  .option('--scopes <list>', 'comma-separated scopes', list)
  .option('--all', 'full access')
  .action(
    withKeyward<{ scopes?: string[]; all?: boolean; json?: boolean }>(async (keyward, o, [keyId]) => {
      if ((o.scopes === undefined) === !o.all) throw badRequest('Give either --scopes LIST or --all')
      const changed = await keyward.services.keys.updateScopes(operator, {
        keyId: keyId ?? '',
        scopes: o.all ? null : (o.scopes ?? []),
      })
      if (o.json) return printJson(changed)
      process.stdout.write(
        `Key ${changed.name} (${changed.id}) now has ${changed.scopes?.join(',') ?? 'full access'}.\n`,
      )
    }),
  )
addKeyRotateCommand(key, withKeyward)
key
  .command('revoke')
  .description('revoke a key at once')
  .argument('<keyId>', 'key id')
  .action(
    withKeyward<{ json?: boolean }>(async (keyward, o, [keyId]) => {
      const revoked = await keyward.services.keys.revoke(operator, { keyId: keyId ?? '' })
      if (o.json) return printJson(revoked)
      process.stdout.write(`Revoked key ${revoked.name} (${revoked.id}) at ${iso(revoked.revokedAt)}\n`)
    }),
  )

registerKeyControlCommands(key, withKeyward)
registerGrantCommands(program, withKeyward)

const activity = program
  .command('activity')
  .description('Agent Activity: the keyed requests of every account')
activity
  .command('list')
  .description('list requests newest first, with why each refused one was refused')
  .option('--account <id>', "only this account's requests")
  .option('--unidentified', 'only requests whose key was never identified (they belong to no account)')
  .option('--reason <reason>', 'only requests refused for this reason (e.g. missing_scope, unknown_key)')
  .option('--limit <n>', 'how many (1 to 1000)', limit, 50)
  .option('--before <cursor>', 'the page after the one that printed this cursor')
  .action(withKeyward<ActivityListOptions>((keyward, o) => listActivity(keyward, o)))

/** The options both exports take. */
function exportCommand(parent: Command, kind: 'activity' | 'history', description: string) {
  parent
    .command('export')
    .description(description)
    .requiredOption('--account <id>', 'account id')
    .option('--since <iso>', 'only from this time on, e.g. 2026-11-01 or 2026-11-01T12:00:00Z (default: all)')
    .option('--until <iso>', 'only up to this time (default: now)')
    .option('--format <format>', 'ndjson (one JSON object a line) or csv', 'ndjson')
    .action(withKeyward<ExportOptions>((keyward, o) => exportToStdout(keyward, kind, o)))
}
exportCommand(
  activity,
  'activity',
  "write an account's requests to stdout, newest first, streamed (any number of rows in constant memory)",
)
exportCommand(
  program
    .command('history')
    .description('management history: who changed which key, member, role or webhook'),
  'history',
  "write an account's management events to stdout, newest first, streamed",
)

const webhook = program.command('webhook').description('webhook subscriptions')
webhook
  .command('list')
  .description("list a project's active webhooks")
  .requiredOption('--project <id>', 'project id')
  .action(withKeyward<{ project: string; json?: boolean }>((keyward, o) => listWebhooksCommand(keyward, o)))
webhook
  .command('create')
  .description('subscribe a URL to events; the signing secret is printed once')
  .requiredOption('--project <id>', 'project id')
  .requiredOption('--url <url>', 'https URL (http and local addresses need KEYWARD_ALLOW_HTTP_WEBHOOKS=1)')
  .requiredOption('--events <list>', 'comma-separated events, e.g. visibility.changed,action.created', list)
  .action(
    withKeyward<{ project: string; url: string; events: string[]; json?: boolean }>((keyward, o) =>
      createWebhookCommand(keyward, o),
    ),
  )
webhook
  .command('test')
  .description(
    "send a signed webhook.test event to a webhook now and print the receiver's answer; exits 1 if it failed",
  )
  .argument('<webhookId>', 'webhook id')
  .action(
    withKeyward<{ json?: boolean }>((keyward, o, [webhookId]) => testWebhook(keyward, o, webhookId ?? '')),
  )

program
  .command('scan')
  .description(
    'find API keys (prefix and checksum) in files, skipping .git, node_modules and .gitignored files; prints ' +
      'file:line and the prefix only, and exits 1 when any is found (a pre-commit hook)',
  )
  .argument('<paths...>', 'files or directories to scan')
  .option(
    '--report',
    "mark the keys of this installation that are found as exposed (the account's leak response)",
  )
  .action(async (paths: string[], options: { report?: boolean }, command: Command) => {
    const json = Boolean(command.optsWithGlobals().json)
    const format = createKeyFormat(config.keyPrefix)
    const { scanCommand } = await import('./scan.ts')
    if (!options.report) {
      process.exitCode = await scanCommand(paths, { json, format }).catch(fail)
      return
    }
    const keyward = await composeKeyward(config).catch(fail)
    let code = 0
    try {
      code = await scanCommand(paths, { json, format, keyward })
    } catch (error) {
      await keyward.close()
      fail(error)
    }
    await keyward.close()
    process.exitCode = code
  })

program
  .command('lifecycle')
  .description('key lifecycle notices: api_key.* webhooks and emails')
  .command('run')
  .description(
    'relay key events and send the expiry notices due now (each notice once, even beside running servers)',
  )
  .action(withKeyward<{ json?: boolean }>((keyward, o) => runLifecycleCommand(keyward, o)))

program
  .command('mcp')
  .description('bridge an MCP client that speaks only stdio to the Streamable HTTP endpoint')
  .requiredOption('--url <url>', 'the MCP endpoint, e.g. http://localhost:3000/api/mcp')
  .option(
    '--key <key>',
    'API key (default: the KEYWARD_API_KEY environment variable, which keeps it out of ps)',
  )
  // bin/keyward.js runs `keyward mcp` without this CLI; this entry gives it its help, and serves `keyward --json mcp`.
  .action(async (options: { url: string; key?: string }) => {
    const { mcpCommand } = await import('./mcp-bridge.js')
    await mcpCommand(['--url', options.url, ...(options.key ? ['--key', options.key] : [])])
  })

program
  .command('import')
  .description(
    'load tracking results from a JSON file into a project (format: README, "Analytics endpoints")',
  )
  .requiredOption('--project <id>', 'project id')
  .argument('<file>', 'JSON file with {"results": [...]}')
  .action(
    withKeyward<{ project: string; json?: boolean }>((keyward, o, [file]) =>
      importFile(keyward, o, file ?? ''),
    ),
  )

program
  .command('demo')
  .description('create the demo account, its owner, two projects and a full-access key (idempotent)')
  .action(
    withKeyward<{ json?: boolean }>(async (keyward, o) => {
      const facts = await ensureDemo(keyward)
      if (o.json) return printJson(facts)
      process.stdout.write(describeDemo(facts, `http://localhost:${config.port}`, config.port))
    }),
  )
