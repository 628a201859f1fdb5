import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { readOnlyScopes } from '../src/core/key-policy.ts'
import { openDatabase } from '../src/storage/database.ts'
import { runCli, runCliJson } from './support/cli.ts'
import { postgresUrl } from './support/databases.ts'

// Each command is a child process that loads the CLI: on a shared machine they need more than the default.
vi.setConfig({ testTimeout: 900_000 })

const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup()
})

/** A DATABASE_URL as the operator gives it: a SQLite file, or a fresh schema of the Postgres test database. */
const databases: Array<[string, () => Promise<string>]> = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'keyward-cli-policy-'))
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }))
      return join(dir, 'keyward.db')
    },
  ],
]
const pgServer = postgresUrl
if (pgServer) {
  databases.push([
    'postgres',
    async () => {
      const schema = `kw_cli_${randomBytes(6).toString('hex')}`
      const admin = openDatabase(pgServer)
      await sql`create schema ${sql.id(schema)}`.execute(admin.db)
      await admin.close()
      cleanups.push(async () => {
        const again = openDatabase(pgServer)
        await sql`drop schema ${sql.id(schema)} cascade`.execute(again.db)
        await again.close()
      })
      const url = new URL(pgServer)
      url.searchParams.set('options', `-c search_path=${schema}`)
      return url.toString()
    },
  ])
}

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
    })
    const strict = {
      accountId: account.id,
      requireExpiry: true,
      maxLifetimeDays: 90,
      defaultScopes: 'read',
      leakResponse: 'notify',
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
      ),
    ).toEqual(strict)
    expect((await runCli(['account', 'policy', '--account', account.id], env)).stdout).toBe(
      'Require expiry: yes\nMax lifetime:   90 days\nDefault scopes: read (read-only)\nLeak response:  notify\n',
    )

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
