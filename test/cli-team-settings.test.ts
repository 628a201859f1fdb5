import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { type CliResult, runCli, runCliJson } from './support/cli.ts'

// Each command is a child process that loads the CLI: on a shared machine they need more than the default.
vi.setConfig({ testTimeout: 600_000 })

const dir = mkdtempSync(join(tmpdir(), 'keyward-cli-team-'))
const env = { DATABASE_URL: join(dir, 'keyward.db'), LOG_LEVEL: 'warn' }
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const refused = (result: CliResult, message: string) =>
  expect(result).toEqual({ code: 1, stdout: '', stderr: `keyward: ${message}\n` })

describe('keyward account rename|transfer|delete', () => {
  it('renames, refuses bad input with one line and no change, and deletes a team, revoking its keys', async () => {
    const account = await runCliJson<{ id: string; slug: string }>(
      ['account', 'create', '--name', 'CLI Team', '--owner-email', `cli-${Date.now()}@example.test`],
      env,
    )
    refused(await runCli(['account', 'rename', account.id], env), 'Give --name, --slug or both')
    refused(
      await runCli(['account', 'rename', account.id, '--slug', 'Bad Slug'], env),
      'Invalid slug: use 2–48 lowercase letters, digits and single hyphens, starting and ending with a letter or digit',
    )
    expect(
      await runCliJson(['account', 'rename', account.id, '--name', 'CLI Crew', '--slug', 'cli-crew'], env),
    ).toMatchObject({
      id: account.id,
      name: 'CLI Crew',
      slug: 'cli-crew',
    })
    refused(
      await runCli(['account', 'transfer', account.id, '--to-email', 'nobody@example.test'], env),
      'No user with the email nobody@example.test',
    )

    const project = await runCliJson<{ id: string }>(
      ['project', 'create', '--account', account.id, '--name', 'P'],
      env,
    )
    const key = await runCliJson<{ id: string }>(
      ['key', 'create', '--project', project.id, '--name', 'K'],
      env,
    )
    refused(
      await runCli(['account', 'delete', account.id, '--confirm', 'CLI Team'], env),
      "Type the team's name, CLI Crew, to confirm its deletion",
    )
    expect(await runCliJson(['account', 'delete', account.id, '--confirm', 'CLI Crew'], env)).toEqual({
      deleted: true,
      keysRevoked: 1,
      membersRemoved: 1,
      invitationsRevoked: 0,
      webhooksDeleted: 0,
    })
    const keys = await runCli(['key', 'list', '--account', account.id, '--json'], env)
    expect(keys.code).toBe(1) // the team is gone
    const accounts = await runCliJson<Array<{ id: string }>>(['account', 'list'], env)
    expect(accounts.map((a) => a.id)).not.toContain(account.id)
    expect(key.id).toBeTruthy()
  })
})
