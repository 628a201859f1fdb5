import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { describe, expect, it, vi } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { webhookEvents } from '../src/core/webhooks.ts'
import { composeKeyward } from '../src/main.ts'
import { type CliResult, runCli, runCliJson } from './support/cli.ts'
import { cliDatabases } from './support/cli-databases.ts'

// Each command is a child process that loads the CLI: many of them, on a shared machine, need more than the default.
vi.setConfig({ testTimeout: 900_000 })

const isoInstant = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
/** A DATABASE_URL as the operator gives it: a SQLite file, or a fresh schema of the Postgres test database. */
const databases = cliDatabases('cli-operator')

const oneLineRefusal = (result: CliResult, message: string) => {
  expect(result).toEqual({ code: 1, stdout: '', stderr: `keyward: ${message}\n` })
}

describe.each(databases)('keyward operator commands on %s', (_name, databaseUrl) => {
  it('lists accounts and projects, shows and rescopes keys, creates and lists webhooks', async () => {
    const env = { DATABASE_URL: await databaseUrl(), KEYWARD_ALLOW_HTTP_WEBHOOKS: '' }
    expect(await runCliJson(['account', 'list'], env)).toEqual([])
    const account = await runCliJson<{ id: string }>(
      ['account', 'create', '--name', 'Zeta', '--plan', 'plus'],
      env,
    )
    const other = await runCliJson<{ id: string }>(['account', 'create', '--name', 'Alpha'], env)
    const accounts = await runCliJson<Array<Record<string, unknown>>>(['account', 'list'], env)
    expect(accounts).toEqual([
      {
        id: other.id,
        name: 'Alpha',
        slug: 'alpha',
        plan: 'pro',
        createdAt: expect.stringMatching(isoInstant),
      },
      {
        id: account.id,
        name: 'Zeta',
        slug: 'zeta',
        plan: 'plus',
        createdAt: expect.stringMatching(isoInstant),
      },
    ])
    expect((await runCli(['account', 'list'], env)).stdout).toMatch(
      /^ID\s+NAME\s+SLUG\s+PLAN\s+CREATED\n.*Alpha/,
    )

    const project = await runCliJson<{ id: string }>(
      ['project', 'create', '--account', account.id, '--name', 'Web'],
      env,
    )
    expect(await runCliJson(['project', 'list', '--account', account.id], env)).toEqual([
      { id: project.id, accountId: account.id, name: 'Web', createdAt: expect.stringMatching(isoInstant) },
    ])
    expect(await runCliJson(['project', 'list', '--account', other.id], env)).toEqual([])

    const created = await runCliJson<{ id: string; key: string }>(
      ['key', 'create', '--project', project.id, '--name', 'BI', '--scopes', 'visibility.read'],
      env,
    )
    const shown = await runCliJson<Record<string, unknown>>(['key', 'show', created.id], env)
    expect(shown).toMatchObject({
      id: created.id,
      name: 'BI',
      projectId: project.id,
      projectName: 'Web',
      accountId: account.id,
      status: 'active',
      scopes: ['visibility.read'],
      expiresAt: null,
      lastUsedAt: null,
      createdAt: expect.stringMatching(isoInstant),
    })
    expect(JSON.stringify(shown)).not.toContain(created.key)
    expect((await runCli(['key', 'show', created.id], env)).stdout).toMatch(
      /^Key:\s+BI \(.*\)\n[\s\S]*Status:\s+active\nScopes:\s+visibility\.read\n/,
    )

    const rescoped = await runCliJson(
      ['key', 'rescope', created.id, '--scopes', 'webhooks.read,tests.read'],
      env,
    )
    expect(rescoped).toMatchObject({ id: created.id, scopes: ['tests.read', 'webhooks.read'] })
    expect(await runCli(['key', 'rescope', created.id, '--all'], env)).toMatchObject({
      code: 0,
      stdout: `Key BI (${created.id}) now has full access.\n`,
    })
    const keyward = await composeKeyward(loadConfig(env))
    try {
      expect(await keyward.verifier.verify(created.key)).toMatchObject({ ok: true, key: { scopes: null } })
      const events = await keyward.database.db
        .selectFrom('management_events')
        .select(['action', 'actor_type'])
        .where('target_id', '=', created.id)
        .orderBy('created_at')
        .execute()
      expect(events.map((e) => e.action)).toEqual(['key.created', 'key.scopes_changed', 'key.scopes_changed'])
    } finally {
      await keyward.close()
    }

    const hook = await runCli(
      [
        'webhook',
        'create',
        '--project',
        project.id,
        '--url',
        'https://hooks.example.com/devtune',
        '--events',
        'visibility.changed,action.created',
      ],
      env,
    )
    const [, hookId, secret] =
      hook.stdout.match(
        /^Created webhook (\S+) for .*\nSigning secret \(shown once, keep it safe\): ([0-9a-f]{64})\n$/,
      ) ?? []
    expect(hook.code, hook.stderr).toBe(0)
    const listed = await runCliJson<Array<Record<string, unknown>>>(
      ['webhook', 'list', '--project', project.id],
      env,
    )
    expect(listed).toEqual([
      {
        id: hookId,
        projectId: project.id,
        url: 'https://hooks.example.com/devtune',
        events: ['visibility.changed', 'action.created'],
        isActive: true,
        createdAt: expect.stringMatching(isoInstant),
        updatedAt: expect.stringMatching(isoInstant),
      },
    ])
    expect(JSON.stringify(listed)).not.toContain(secret)
  })

  it('refuses unknown ids and bad input with one line on stderr and exit 1', async () => {
    const env = { DATABASE_URL: await databaseUrl() }
    const missing = '5b0d5a36-5f7a-4d1e-9a43-000000000000'
    oneLineRefusal(await runCli(['key', 'list', '--account', missing], env), 'Account not found')
    oneLineRefusal(
      await runCli(['project', 'list', '--account', missing, '--json'], env),
      'Account not found',
    )
    oneLineRefusal(await runCli(['key', 'show', missing], env), 'Key not found')
    oneLineRefusal(await runCli(['key', 'rescope', missing, '--all'], env), 'Key not found')
    oneLineRefusal(await runCli(['key', 'rescope', missing], env), 'Give either --scopes LIST or --all')
    oneLineRefusal(await runCli(['webhook', 'list', '--project', missing], env), 'Project not found')
    oneLineRefusal(
      await runCli(
        ['webhook', 'create', '--project', missing, '--url', 'https://x.example', '--events', 'nope'],
        env,
      ),
      `Unknown event nope: --events takes a comma-separated list of ${webhookEvents.join(', ')}`,
    )
  })
})

describe('keyward CLI surface', () => {
  it('prints its version, and every subcommand shows --json in its help', async () => {
    const version = await runCli(['--version'], {})
    expect(version).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' })
    // Read from the program itself: one child process per command would take minutes on a busy machine.
    const { program } = await import('../src/cli/main.ts')
    const leaves = (command: Command, path: string[]): string[][] =>
      command.commands.length === 0 ? [path] : command.commands.flatMap((c) => leaves(c, [...path, c.name()]))
    const commands = leaves(program, []).map((path) => path.join(' '))
    expect(commands).toEqual(
      expect.arrayContaining(['account list', 'project list', 'key show', 'key rescope']),
    )
    expect(commands).toEqual(
      expect.arrayContaining([
        'webhook list',
        'webhook create',
        'webhook test',
        'mcp',
        'grant list',
        'grant revoke',
      ]),
    )
    for (const path of commands) {
      let command = program as Command
      for (const name of path.split(' ')) command = command.commands.find((c) => c.name() === name) ?? command
      expect(command.helpInformation(), path).toMatch(/--json\s+machine-readable output/)
    }
    // And once through a real process, as the operator types it.
    expect((await runCli(['key', 'rescope', '--help'], {})).stdout).toMatch(/Global Options:[\s\S]*--json/)
  })

  it('keyward demo names the port the server listens on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-demo-port-'))
    try {
      const demo = await runCli(['demo'], { DATABASE_URL: join(dir, 'k.db'), PORT: '4321' })
      expect(demo.stdout).toContain(
        'The server listens on port 4321 (PORT sets it): start it with npx keyward serve.',
      )
      expect(demo.stdout).toContain('Open http://localhost:4321 and sign in')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('npm run --silent keyward -- … --json prints nothing but JSON on stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-npm-run-'))
    try {
      const { execFile } = await import('node:child_process')
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(
          'npm',
          ['run', '--silent', 'keyward', '--', 'account', 'list', '--json'],
          { env: { ...process.env, DATABASE_URL: join(dir, 'k.db') } },
          (error, out) => (error ? reject(error) : resolve(out)),
        ),
      )
      expect(JSON.parse(stdout)).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
