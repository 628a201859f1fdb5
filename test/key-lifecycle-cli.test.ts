import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { composeKeyward, type Keyward } from '../src/main.ts'
import { runCli, runCliJson } from './support/cli.ts'

let dir: string
let env: Record<string, string>
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyward-lifecycle-cli-'))
  env = { DATABASE_URL: join(dir, 'keyward.db') }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Opens the database file the CLI wrote, to check what it really stored and what a server would accept. */
async function inspect<T>(look: (k: Keyward) => Promise<T>): Promise<T> {
  const keyward = await composeKeyward(loadConfig(env))
  try {
    return await look(keyward)
  } finally {
    await keyward.close()
  }
}
const keyRow = (id: string) =>
  inspect((k) =>
    k.database.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  )

describe('keyward key rotate and key update', () => {
  let keyId: string
  let firstSecret: string

  it('creates a key with a custom lifetime (a duration or a date)', async () => {
    const account = await runCliJson<{ id: string }>(['account', 'create', '--name', 'Rollers'], env)
    const project = await runCliJson<{ id: string }>(
      ['project', 'create', '--account', account.id, '--name', 'P'],
      env,
    )
    const started = Date.now()
    const short = await runCliJson<{ id: string; key: string; expiresAt: string }>(
      ['key', 'create', '--project', project.id, '--name', 'temp', '--expires', '2h'],
      env,
    )
    const expiresIn = Date.parse(short.expiresAt) - started
    expect(expiresIn).toBeGreaterThanOrEqual(2 * 3_600_000)
    expect(expiresIn).toBeLessThan(2 * 3_600_000 + 600_000) // minus however long the command took
    const inAYear = new Date(Date.now() + 300 * 86_400_000).toISOString().slice(0, 10)
    const dated = await runCliJson<{ expiresAt: string }>(
      ['key', 'create', '--project', project.id, '--name', 'dated', '--expires', inAYear],
      env,
    )
    expect(dated.expiresAt).toBe(`${inAYear}T00:00:00.000Z`)
    keyId = short.id
    firstSecret = short.key
  })

  it('rolls a key with --json: exactly id, key, prefix and previousKeyValidUntil', async () => {
    const before = Date.now()
    const rolled = await runCliJson<Record<string, string>>(['key', 'rotate', keyId, '--grace', '90m'], env)
    expect(Object.keys(rolled).sort()).toEqual(['id', 'key', 'prefix', 'previousKeyValidUntil'])
    expect(rolled.id).toBe(keyId)
    expect(rolled.key).toMatch(/^dtk_live_[0-9a-f]{64}$/)
    expect(rolled.prefix).toBe(rolled.key?.slice(0, 13))
    expect(Date.parse(rolled.previousKeyValidUntil ?? '') - before).toBeGreaterThanOrEqual(90 * 60_000)
    const [previous, current] = await inspect((k) =>
      Promise.all([k.verifier.verify(firstSecret), k.verifier.verify(rolled.key ?? '')]),
    )
    expect(previous).toMatchObject({ ok: true, key: { id: keyId } })
    expect(current).toMatchObject({ ok: true, key: { id: keyId } })

    const again = await runCliJson<Record<string, string>>(['key', 'rotate', keyId, '--grace', '0'], env)
    const [older, newest] = await inspect((k) =>
      Promise.all([k.verifier.verify(rolled.key ?? ''), k.verifier.verify(again.key ?? '')]),
    )
    expect(older).toMatchObject({ ok: false, reason: 'revoked' })
    expect(newest.ok).toBe(true)
  })

  it('changes the expiry with key update --expires, and refuses bad input with exit 1, changing nothing', async () => {
    const updated = await runCliJson<{ id: string; expiresAt: string | null }>(
      ['key', 'update', keyId, '--expires', 'never'],
      env,
    )
    expect(updated).toMatchObject({ id: keyId, expiresAt: null })
    const before = await keyRow(keyId)
    const bad: Array<[string[], RegExp]> = [
      [['key', 'rotate', keyId, '--grace', '31d'], /^keyward: Invalid grace period: 31d/],
      [['key', 'rotate', keyId, '--grace', 'later'], /^keyward: Invalid grace period: later/],
      [['key', 'update', keyId, '--expires', '30m'], /^keyward: Invalid expiration: 30m/],
      [['key', 'update', keyId, '--expires', '2020-01-01'], /^keyward: Invalid expiration: 2020-01-01/],
      [['key', 'rotate', '3f1d2c4b-5a69-4788-9abc-def012345678', '--grace', '0'], /^keyward: Key not found/],
    ]
    for (const [args, message] of bad) {
      const result = await runCli([...args, '--json'], env)
      expect(result.code, args.join(' ')).toBe(1)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(message)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
    }
    expect(await keyRow(keyId)).toEqual(before)
  })
})
