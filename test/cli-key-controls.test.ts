import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { type CliResult, runCli, runCliJson } from './support/cli.ts'

// Each command is a child process that loads the CLI: many of them, on a shared machine, need more than the default.
vi.setConfig({ testTimeout: 900_000 })

const dir = mkdtempSync(join(tmpdir(), 'keyward-cli-controls-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const env = { DATABASE_URL: join(dir, 'keyward.db') }

type Shown = Record<string, unknown> & { id: string }
const oneLineRefusal = (result: CliResult, message: string) =>
  expect(result).toEqual({ code: 1, stdout: '', stderr: `keyward: ${message}\n` })

describe('keyward key create/update/disable/enable with per-key controls', () => {
  it('sets, changes and clears controls; refuses bad input with exit 1 and changes nothing', async () => {
    const account = await runCliJson<{ id: string }>(
      ['account', 'create', '--name', 'Fence', '--plan', 'plus'],
      env,
    )
    const project = await runCliJson<{ id: string }>(
      ['project', 'create', '--account', account.id, '--name', 'Web'],
      env,
    )
    const created = await runCliJson<Shown>(
      [
        ...['key', 'create', '--project', project.id, '--name', 'CI'],
        ...['--allow-ip', '10.0.0.0/8,2001:db8::/32', '--rate-limit', '50'],
        ...['--description', 'Nightly export', '--tags', 'ci,BI'],
      ],
      env,
    )
    expect(created).toMatchObject({
      allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
      rateLimitPerMinute: 50,
      description: 'Nightly export',
      tags: ['ci', 'bi'],
    })

    const updated = await runCliJson<Shown>(
      ['key', 'update', created.id, '--allow-ip', '', '--rate-limit', 'none', '--tags', 'ops'],
      env,
    )
    expect(updated).toMatchObject({
      allowedIps: [],
      rateLimitPerMinute: null,
      description: 'Nightly export',
      tags: ['ops'],
      status: 'active',
    })

    const before = await runCliJson<Shown>(['key', 'show', created.id], env)
    oneLineRefusal(
      await runCli(['key', 'update', created.id, '--rate-limit', '101', '--tags', 'x'], env),
      "The rate limit must be a whole number from 1 to the plan's 100 per minute",
    )
    oneLineRefusal(
      await runCli(['key', 'update', created.id, '--rate-limit', 'fast'], env),
      "The rate limit must be a whole number from 1 to the plan's 100 per minute",
    )
    oneLineRefusal(
      await runCli(['key', 'update', created.id, '--allow-ip', '10.0.0.0/8,300.1.1.1'], env),
      'Not an IP address or CIDR range: 300.1.1.1',
    )
    oneLineRefusal(
      await runCli(['key', 'update', created.id], env),
      'Give at least one of --expires, --allow-ip, --rate-limit, --description, --tags',
    )
    oneLineRefusal(await runCli(['key', 'disable', 'no-such-key'], env), 'Key not found')
    expect(await runCliJson<Shown>(['key', 'show', created.id], env)).toEqual(before)

    expect(await runCli(['key', 'disable', created.id], env)).toMatchObject({
      code: 0,
      stdout: `Key CI (${created.id}) is disabled.\n`,
    })
    expect(await runCliJson<Shown>(['key', 'show', created.id], env)).toMatchObject({ status: 'disabled' })
    expect(await runCliJson<Shown>(['key', 'enable', created.id], env)).toMatchObject({ disabledAt: null })
    const text = (await runCli(['key', 'show', created.id], env)).stdout
    expect(text).toMatch(/Status:\s+active\n/)
    expect(text).toMatch(/Allowed IPs:\s+any\n/)
    expect(text).toMatch(/Tags:\s+ops\n/)

    const history = await runCli(['history', 'export', '--account', account.id], env)
    const actions = history.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { action: string }).action)
    expect(actions.filter((a) => a.startsWith('key.') && a !== 'key.created')).toEqual([
      'key.enabled',
      'key.disabled',
      'key.controls_changed',
    ])
  })
})
