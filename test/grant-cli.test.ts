import { afterEach, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { composeKeyward, appDeps as deps, type Keyward, mcpOAuthDeps } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { runCli, runCliJson } from './support/cli.ts'
import { cliDatabases } from './support/cli-databases.ts'
import { teamWithProject } from './support/keyward.ts'
import { mcpUrl, rawMcp, toolCall } from './support/mcp.ts'
import { grantAndToken } from './support/oauth-tokens.ts'

// Each command is a child process that loads the CLI: on a shared machine they need more than the default.
vi.setConfig({ testTimeout: 600_000 })

const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }

describe.each(cliDatabases('grant'))('keyward grant list|revoke on %s', (_name, databaseUrl) => {
  let keyward: Keyward | undefined
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    await keyward?.close()
  })

  it('lists the grants, and a revocation from the CLI stops a running server’s next call', async () => {
    const env = { DATABASE_URL: await databaseUrl() }
    keyward = await composeKeyward(loadConfig({ ...env, LOG_LEVEL: 'silent' }))
    await keyward.keyChanges?.start()
    const app = await buildApp({ ...deps(keyward), ...mcpOAuthDeps(keyward), logLevel: 'silent' })
    close = () => app.close()
    const url = await mcpUrl(app)
    const team = await teamWithProject(keyward)
    const { grant, token } = await grantAndToken(keyward, {
      user: team.owner,
      projectId: team.project.id,
      scopes: ['tests.read'],
      clientName: 'VS Code',
    })
    const status = async () => (await rawMcp(url, listTools, { authorization: `Bearer ${token}` })).status
    expect(await status()).toBe(200) // cached now
    await rawMcp(url, toolCall('devtune_list_tests'), { authorization: `Bearer ${token}` })
    await keyward.activity.flush() // its row, and the grant's last use

    const listed = await runCliJson<Array<Record<string, unknown>>>(
      ['grant', 'list', '--account', team.account.id],
      env,
    )
    expect(listed).toMatchObject([
      {
        id: grant.id,
        clientName: 'VS Code',
        status: 'active',
        scopes: ['tests.read'],
        projectName: 'Website',
      },
    ])
    expect(listed[0]?.lastUsedAt).toMatch(/^\d{4}-/)
    const owner = await keyward.users.findById(team.owner.userId)
    const log = await runCli(['activity', 'list', '--account', team.account.id], env)
    expect(log.stdout).toContain(`VS Code (${owner?.email})`)
    const revoked = await runCliJson(['grant', 'revoke', grant.id], env)
    expect(revoked).toMatchObject({ id: grant.id, revokedBy: null })
    expect(revoked.revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    // SQLite: the key generation the revocation moved; Postgres: its NOTIFY, delivered within milliseconds.
    const started = Date.now()
    while ((await status()) !== 401) {
      expect(Date.now() - started).toBeLessThan(5_000)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(await runCli(['grant', 'revoke', 'no-such-grant'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'keyward: Grant not found\n',
    })
    expect(await runCli(['grant', 'list', '--account', 'no-such-account'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'keyward: Account not found\n',
    })
  })
})
