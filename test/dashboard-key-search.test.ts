import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { operator } from '../src/core/model.ts'
import { scopeCatalogue } from '../src/core/scopes.ts'
import { appDeps, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { type DashboardClient, signedIn } from './support/dashboard.ts'
import { testDatabases } from './support/databases.ts'
import { teamWithProject, testKeyward } from './support/keyward.ts'

/** The API Keys page's server side (issue #19 §3–4): `q`, the creator of each row, and the scope guide. */
describe.each(testDatabases)('dashboard key search and scope guide on $name', (database) => {
  let keyward: Keyward
  let app: FastifyInstance
  let owner: DashboardClient
  let accountId = ''
  const prefixes: Record<string, string> = {}

  beforeAll(async () => {
    keyward = await testKeyward({ database })
    app = await buildApp({ ...appDeps(keyward), logLevel: 'silent' })
    const team = await teamWithProject(keyward)
    accountId = team.account.id
    for (const name of ['Billing agent', 'billing AGENT 2', 'Docs bot', '100%_literal']) {
      const key = await keyward.services.keys.create(team.owner, { projectId: team.project.id, name })
      prefixes[name] = key.key.slice(0, 13)
    }
    await keyward.services.keys.create(operator, { projectId: team.project.id, name: 'From the CLI' })
    owner = await signedIn(app, keyward, team.owner.userId)
  })
  afterAll(async () => {
    await app?.close()
    await keyward?.close()
  })

  const names = async (query: string) => {
    const response = await owner.request('GET', `/accounts/${accountId}/keys?${query}`)
    expect(response.statusCode).toBe(200)
    const body = response.json() as { data: { name: string }[]; meta: { total: number } }
    expect(body.meta.total).toBe(body.data.length)
    return body.data.map((row) => row.name).sort()
  }

  it('q matches a name anywhere, ignoring case, and a prefix from its start', async () => {
    expect(await names('q=billing%20agent')).toEqual(['Billing agent', 'billing AGENT 2'])
    expect(await names('q=BOT')).toEqual(['Docs bot'])
    expect(await names(`q=${prefixes['Docs bot']}`)).toContain('Docs bot')
    expect(await names(`q=${prefixes['Docs bot']?.slice(9)}`)).not.toContain('Docs bot') // not mid-prefix
    expect(await names('q=%20%20')).toHaveLength(5) // blank: no filter
  })

  it('takes % and _ literally, and refuses an over-long search with 400', async () => {
    expect(await names('q=0%25_')).toEqual(['100%_literal'])
    expect(await names('q=_')).toEqual(['100%_literal']) // the prefix's own `_` is not a wildcard
    const long = await owner.request('GET', `/accounts/${accountId}/keys?q=${'x'.repeat(101)}`)
    expect(long.statusCode).toBe(400)
  })

  it('names the creator of every row: the user, or the operator for the CLI', async () => {
    const response = await owner.request('GET', `/accounts/${accountId}/keys?sort=name&order=asc`)
    const rows = response.json().data as { name: string; creator: string }[]
    expect(rows.find((row) => row.name === 'Docs bot')?.creator).toMatch(
      /^owner \(owner-\d+-\d+@example\.test\)$/,
    )
    expect(rows.find((row) => row.name === 'From the CLI')?.creator).toBe('Operator (CLI)')
  })

  it('describes every scope by the endpoints and tools the capability table gives it', async () => {
    const response = await owner.request('GET', '/scopes')
    expect(response.statusCode).toBe(200)
    const guide = response.json().data as { scope: string; endpoints: string[]; tools: string[] }[]
    expect(guide.map((entry) => entry.scope)).toEqual([...scopeCatalogue])
    const of = (scope: string) => guide.find((entry) => entry.scope === scope)
    expect(of('visibility.read')?.endpoints).toEqual([
      'GET visibility/summary',
      'GET visibility/diff',
      'GET visibility/heatmap',
    ])
    expect(of('visibility.read')?.tools).toContain('devtune_get_visibility_summary')
    expect(of('actions.write')?.endpoints).toContain('PATCH actions/{actionId}')
    for (const entry of guide) expect(entry.endpoints.length, entry.scope).toBeGreaterThan(0)
    expect((await app.inject({ method: 'GET', url: '/api/dashboard/scopes' })).statusCode).toBe(401)
  })
})
