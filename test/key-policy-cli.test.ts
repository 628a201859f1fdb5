import { describe, expect, it, vi } from 'vitest'
import { readOnlyScopes } from '../src/core/key-policy.ts'
import { runCli, runCliJson } from './support/cli.ts'
import { cliDatabases } from './support/cli-databases.ts'

// Each command is a child process that loads the CLI: on a shared machine they need more than the default.
vi.setConfig({ testTimeout: 900_000 })

/** A DATABASE_URL as the operator gives it: a SQLite file, or a fresh schema of the Postgres test database. */
const databases = cliDatabases('cli-policy')

describe.each(databases)('keyward account policy on %s', (_name, databaseUrl) => {
  it('prints the policy, changes the fields given, and refuses bad input with exit 1, changing nothing', async () => {
    const env = { DATABASE_URL: await databaseUrl() }
    const account = await runCliJson<{ id: string }>(['account', 'create', '--name', 'Policy'], env)
    const project = await runCliJson<{ id: string }>(
      ['project', 'create', '--account', account.id, '--name', 'Web'],
      env,
    )
    const policy = (...flags: string[]) =>
      runCliJson(['account', 'policy', '--account', account.id, ...flags], env)
    expect(await policy()).toEqual({
      accountId: account.id,
      requireExpiry: false,
      maxLifetimeDays: null,
      defaultScopes: 'all',
      leakResponse: 'revoke',
      mcpKeys: true,
      mcpOAuth: true,
    })
    const strict = {
      accountId: account.id,
      requireExpiry: true,
      maxLifetimeDays: 90,
      defaultScopes: 'read',
      leakResponse: 'notify',
      mcpKeys: false,
      mcpOAuth: true,
    }
    expect(
      await policy(
        '--max-lifetime',
        '90d',
        '--require-expiry',
        '--default-scopes',
        'read',
        '--leak-response',
        'notify',
        '--no-mcp-keys',
      ),
    ).toEqual(strict)
    expect((await runCli(['account', 'policy', '--account', account.id], env)).stdout).toBe(
      'Require expiry: yes\nMax lifetime:   90 days\nDefault scopes: read (read-only)\nLeak response:  notify\n' +
        'MCP with keys:  off\nMCP with OAuth: allowed\n',
    )
    expect(await policy('--no-mcp-oauth', '--mcp-keys')).toMatchObject({ mcpKeys: true, mcpOAuth: false })
    expect(await policy('--no-mcp-keys', '--mcp-oauth')).toEqual(strict)

    const refusals: Array<[string[], string]> = [
      [['--max-lifetime', '400d'], 'Invalid max lifetime: 400d (use 1d to 366d, or none)'],
      [['--default-scopes', 'write', '--max-lifetime', '30d'], 'defaultScopes must be one of: all, read'],
      [['--leak-response', 'ignore'], 'leakResponse must be one of: revoke, notify'],
    ]
    for (const [flags, message] of refusals) {
      expect(await runCli(['account', 'policy', '--account', account.id, ...flags], env)).toEqual({
        code: 1,
        stdout: '',
        stderr: `keyward: ${message}\n`,
      })
    }
    const missing = '5b0d5a36-5f7a-4d1e-9a43-000000000000'
    expect(await runCli(['account', 'policy', '--account', missing, '--max-lifetime', '30d'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'keyward: Account not found\n',
    })
    expect(await policy()).toEqual(strict)

    // Key creation follows it: no expiry is refused, and a key named no scopes gets the read-only preset.
    expect(await runCli(['key', 'create', '--project', project.id, '--name', 'forever'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: "keyward: The account's key policy requires an expiration of at most 90 days\n",
    })
    expect(
      (await runCli(['key', 'create', '--project', project.id, '--name', 'long', '--expires', '180d'], env))
        .stderr,
    ).toBe("keyward: The account's key policy allows a lifetime of at most 90 days from creation\n")
    const created = await runCliJson<{ scopes: string[] }>(
      ['key', 'create', '--project', project.id, '--name', 'ok', '--expires', '90d'],
      env,
    )
    expect(created.scopes).toEqual(readOnlyScopes)

    expect(await policy('--no-require-expiry', '--max-lifetime', 'none', '--default-scopes', 'all')).toEqual({
      ...strict,
      requireExpiry: false,
      maxLifetimeDays: null,
      defaultScopes: 'all',
    })
  })
})
