import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { appDeps, composeKeyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { runCli, runCliJson } from './support/cli.ts'
import { parseCsv } from './support/csv.ts'

let dir: string
let env: Record<string, string>
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyward-cli-'))
  env = { DATABASE_URL: join(dir, 'keyward.db') }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Opens the same database file the CLI wrote, to check what it really stored. */
async function inspect<T>(look: (k: Awaited<ReturnType<typeof composeKeyward>>) => Promise<T>): Promise<T> {
  const keyward = await composeKeyward(loadConfig(env))
  try {
    return await look(keyward)
  } finally {
    await keyward.close()
  }
}

describe('keyward CLI', () => {
  let accountId: string
  let projectId: string

  it('migrates with --json', async () => {
    expect(await runCliJson(['migrate'], env)).toEqual({
      applied: [
        '0001-initial',
        '0002-activity-and-webhooks',
        '0003-analytics',
        '0004-analytics-indexes',
        '0005-analytics-rollups',
        '0006-team',
        '0007-page-running-totals',
        '0008-key-generation',
        '0009-activity-hourly',
        '0010-activity-reason',
        '0011-activity-hourly-usage',
        '0013-audit-stream',
        '0014-key-rotation',
        '0015-account-key-policy',
        '0016-key-notifications',
        '0017-key-exposures',
        '0018-key-controls',
        '0019-team-settings',
        '0020-oauth',
        '0021-activity-compact',
        '0022-activity-half-day',
      ],
    })
    expect(await runCliJson(['migrate'], env)).toEqual({ applied: [] })
  })

  it('creates an account whose new owner can sign in with the printed password', async () => {
    const created = await runCliJson<{
      id: string
      slug: string
      plan: string
      owner: { email: string; password: string }
    }>(
      ['account', 'create', '--name', 'Acme Analytics', '--plan', 'plus', '--owner-email', 'ann@acme.test'],
      env,
    )
    expect(created).toMatchObject({ slug: 'acme-analytics', plan: 'plus', owner: { email: 'ann@acme.test' } })
    accountId = created.id
    const signedIn = await inspect(async (k) =>
      (await k.getAuth()).api.signInEmail({
        body: { email: 'ann@acme.test', password: created.owner.password },
      }),
    )
    expect(signedIn.token).toBeTruthy()
  })

  it('creates a project, keys, lists them and revokes one', async () => {
    const project = await runCliJson<{ id: string; accountId: string }>(
      ['project', 'create', '--account', accountId, '--name', 'Docs'],
      env,
    )
    expect(project.accountId).toBe(accountId)
    projectId = project.id

    const scoped = await runCliJson<{
      id: string
      key: string
      scopes: string[]
      expiresAt: string
      createdAt: string
    }>(
      [
        'key',
        'create',
        '--project',
        projectId,
        '--name',
        'BI',
        '--scopes',
        'visibility.read,citations.read',
        '--expires',
        '30d',
      ],
      env,
    )
    expect(scoped.key).toMatch(/^dtk_live_[0-9a-f]{64}$/)
    expect(scoped.scopes).toEqual(['visibility.read', 'citations.read'])
    // Times are ISO 8601, as in the REST API.
    expect(scoped.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(Date.parse(scoped.expiresAt) - Date.parse(scoped.createdAt)).toBe(30 * 86_400_000)
    const full = await runCliJson<{ id: string; key: string; scopes: null }>(
      ['key', 'create', '--project', projectId, '--name', 'Agent'],
      env,
    )
    expect(full.scopes).toBeNull()

    const revoked = await runCliJson<{ id: string; revokedAt: string }>(['key', 'revoke', full.id], env)
    expect(Date.parse(revoked.revokedAt)).toBeGreaterThan(Date.parse(scoped.createdAt) - 1)
    expect(await inspect((k) => k.verifier.verify(full.key))).toMatchObject({ ok: false, reason: 'revoked' })
    expect(await inspect((k) => k.verifier.verify(scoped.key))).toMatchObject({ ok: true })

    const all = await runCliJson<Array<{ id: string; status: string }>>(
      ['key', 'list', '--account', accountId],
      env,
    )
    expect(all.map((k) => [k.id, k.status])).toEqual([
      [full.id, 'revoked'],
      [scoped.id, 'active'],
    ])
    const visible = await runCliJson<Array<{ id: string }>>(
      ['key', 'list', '--account', accountId, '--hide-revoked'],
      env,
    )
    expect(visible.map((k) => k.id)).toEqual([scoped.id])
    expect(JSON.stringify(all)).not.toContain(scoped.key)

    const table = await runCli(['key', 'list', '--account', accountId], env)
    expect(table.stdout).toMatch(
      /BI\s+dtk_live_[0-9a-f]{4}\s+Docs\s+active\s+visibility\.read,citations\.read/,
    )
  })

  it("lists activity to the operator: an account's refusals with their reason, and requests of no account", async () => {
    await inspect(async (k) => {
      const revoked = await k.services.keys.create(operator, { projectId, name: 'Old' })
      await k.services.keys.revoke(operator, { keyId: revoked.id })
      const app = await buildApp({ ...appDeps(k), logLevel: 'silent' })
      const url = `/api/v2/projects/${projectId}/webhooks`
      await app.inject({ method: 'GET', url })
      await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${revoked.key}` } })
      await app.close()
      await k.activity.flush()
    })
    type Listed = { data: Array<{ accountId: string | null; reason: string; keyPrefix: string | null }> }
    const unidentified = await runCliJson<Listed>(['activity', 'list', '--unidentified'], env)
    expect(unidentified.data.map((r) => [r.accountId, r.reason])).toEqual([[null, 'missing_key']])
    const revoked = await runCliJson<Listed>(
      ['activity', 'list', '--account', accountId, '--reason', 'revoked'],
      env,
    )
    expect(revoked.data.map((r) => [r.accountId, r.reason])).toEqual([[accountId, 'revoked']])
    const text = await runCli(['activity', 'list', '--limit', '1'], env)
    expect(text.stdout).toMatch(/^AT\s+ACCOUNT\s+KEY\s+METHOD\s+ENDPOINT\s+STATUS\s+REASON/)
    expect(text.stdout).toMatch(/\/api\/v2\/projects\/:projectId\/webhooks\s+401\s+revoked/)
    expect(text.stdout).toMatch(/^More: --before \d+_[0-9a-f-]+$/m)
  })

  it("exports an account's activity and history to stdout as NDJSON and CSV", async () => {
    type Listed = { data: Array<{ id: string; reason: string | null }> }
    const listed = await runCliJson<Listed>(
      ['activity', 'list', '--account', accountId, '--limit', '1000'],
      env,
    )
    const exported = await runCli(['activity', 'export', '--account', accountId], env)
    expect(exported.code).toBe(0)
    const lines = exported.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((r) => [r.id, r.reason])).toEqual(listed.data.map((r) => [r.id, r.reason]))
    expect(lines[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

    const csv = parseCsv(
      (await runCli(['activity', 'export', '--account', accountId, '--format', 'csv'], env)).stdout,
    )
    expect(csv[0]?.slice(0, 3)).toEqual(['id', 'at', 'accountId'])
    expect(csv.slice(1).map((r) => r[0])).toEqual(listed.data.map((r) => r.id))
    const range = ['--since', '2000-01-01', '--until', '2000-01-02T00:00:00Z']
    const none = await runCli(['activity', 'export', '--account', accountId, ...range], env)
    expect([none.code, none.stdout]).toEqual([0, ''])

    const history = await runCli(
      ['history', 'export', '--account', accountId, '--until', '2999-01-01T00:00:00Z'],
      env,
    )
    const actions = history.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).action)
    expect(actions).toEqual(expect.arrayContaining(['key.created', 'key.revoked']))
  })

  it.each([
    [
      ['activity', 'export', '--account', 'x', '--since', 'yesterday'],
      'Invalid --since yesterday: an ISO 8601',
    ],
    [['activity', 'export', '--account', 'x', '--until', '2026-13-45'], 'Invalid --until 2026-13-45'],
    [['history', 'export', '--account', 'x', '--format', 'xml'], 'Invalid --format xml: one of ndjson, csv'],
    [['activity', 'export', '--account', 'nope'], 'Account not found'],
    [['activity', 'list', '--account', 'x', '--unidentified'], 'Choose --account or --unidentified'],
    [['activity', 'list', '--reason', 'because'], 'Invalid --reason because: one of missing_key'],
    [['activity', 'list', '--limit', '0'], 'a whole number from 1 to 1000'],
    [['activity', 'list', '--account', 'nope'], 'Account not found'],
    [
      ['key', 'create', '--project', 'PROJECT', '--name', 'x', '--scopes', 'visibility.read,admin.write'],
      'Unknown scope: admin.write',
    ],
    [
      ['key', 'create', '--project', '5b0d5a36-5f7a-4d1e-9a43-000000000000', '--name', 'x'],
      'Project not found',
    ],
    [['key', 'create', '--project', 'PROJECT', '--name', 'x', '--expires', '30m'], 'Invalid expiration: 30m'],
    [['key', 'revoke', '5b0d5a36-5f7a-4d1e-9a43-000000000000'], 'Key not found'],
    [
      ['account', 'create', '--name', 'Bad', '--plan', 'gold', '--owner-email', 'new@acme.test'],
      'Invalid plan: gold',
    ],
    [['project', 'create', '--account', 'nope', '--name', 'x'], 'Account not found'],
    [['key', 'list', '--account', 'nope'], 'Account not found'],
    [['key', 'list'], "required option '--account <id>' not specified"],
  ])('refuses %j with one line on stderr, exit 1 and no change', async (args, message) => {
    const snapshot = () =>
      inspect(async (k) => {
        const counts = []
        for (const table of ['users', 'accounts', 'projects', 'api_keys', 'management_events'] as const) {
          counts.push(
            (
              await k.database.db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          )
        }
        return counts
      })
    const before = await snapshot()
    const result = await runCli(
      args.map((a) => (a === 'PROJECT' ? projectId : a)),
      env,
    )
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(message)
    expect(await snapshot()).toEqual(before)
  })

  it('creates the demo once and finds it again without changes', async () => {
    const first = await runCliJson<{
      accountId: string
      owner: { email: string; password: string }
      projects: Array<{ id: string; name: string }>
      key: { id: string; key: string }
    }>(['demo'], env)
    expect(first.owner.password).toMatch(/.{12,}/)
    expect(first.projects.map((p) => p.name).sort()).toEqual(['Developer docs', 'Marketing site'])
    expect(await inspect((k) => k.verifier.verify(first.key.key))).toMatchObject({
      ok: true,
      key: { id: first.key.id, accountId: first.accountId, plan: 'pro', scopes: null },
    })
    const again = await runCliJson(['demo'], env)
    expect(again).toEqual({ ...first, owner: { ...first.owner, password: null }, key: null, created: false })
  })
})
