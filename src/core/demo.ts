import { randomBytes } from 'node:crypto'
import { type DemoProfile, seedProjectAnalytics } from './analytics/demo-data.ts'
import type { Clock } from './clock.ts'
import { operator } from './model.ts'
import type { Storage, UserDirectory } from './ports.ts'
import type { Services } from './services.ts'

export const demoAccountName = 'DevTune Demo'
export const demoOwnerEmail = 'owner@demo.keyward.test'
const demoAccountSlug = 'devtune-demo'
const demoProjectNames = ['Marketing site', 'Developer docs']

const pages = (...paths: string[]) => paths
/** What each demo project tracks; the figures themselves are seeded-random per project. */
const demoProfiles: Record<string, DemoProfile> = {
  'Marketing site': {
    domain: 'keyward.example',
    topics: {
      'API key management': [
        'best api key management tool',
        'how to rotate api keys safely',
        'api key scopes explained',
      ],
      'Developer platforms': [
        'self-hosted developer portal',
        'open source api gateway for startups',
        'developer platform pricing',
      ],
      'Security audits': ['audit log for api requests', 'detect leaked api keys', 'soc2 api access controls'],
      Comparisons: ['keyward vs unkey', 'alternatives to auth0 api keys', 'cheapest api key service'],
    },
    competitors: [
      { name: 'Unkey', domain: 'unkey.example' },
      { name: 'Zuplo', domain: 'zuplo.example' },
      { name: 'Kong', domain: 'konghq.example' },
    ],
    packages: ['keyward', '@keyward/client'],
    repos: ['keyward/keyward'],
    pages: pages(
      'pricing',
      'features',
      'blog/rotate-keys',
      'security',
      'compare/unkey',
      'customers',
      'blog/scopes',
      'enterprise',
      'about',
      'changelog',
    ),
  },
  'Developer docs': {
    domain: 'docs.keyward.example',
    topics: {
      'Getting started': [
        'how to create an api key in node',
        'quickstart api authentication',
        'bearer token example fastify',
      ],
      'MCP servers': [
        'connect an mcp server with an api key',
        'mcp tool permissions',
        'streamable http mcp auth',
      ],
      Webhooks: [
        'verify webhook hmac signature',
        'webhook retry backoff best practice',
        'webhook secret rotation',
      ],
    },
    competitors: [
      { name: 'Stripe Docs', domain: 'stripe.example' },
      { name: 'Auth0', domain: 'auth0.example' },
    ],
    packages: ['@keyward/sdk'],
    repos: ['keyward/sdk', 'keyward/examples'],
    pages: pages(
      'quickstart',
      'reference/keys',
      'guides/webhooks',
      'guides/mcp',
      'reference/errors',
      'guides/rate-limits',
      'sdk/node',
      'reference/scopes',
      'faq',
    ),
  },
}

export interface DemoFacts {
  accountId: string
  /** The password is shown only when this call created the owner. */
  owner: { email: string; password: string | null }
  projects: Array<{ id: string; name: string }>
  /** The raw key is shown only when this call created it. */
  key: { id: string; key: string; projectId: string } | null
  created: boolean
}

/** A realistic demo team; running it again finds the existing one and changes nothing. */
export async function ensureDemo(deps: {
  services: Services
  storage: Storage
  users: UserDirectory
  clock: Clock
}): Promise<DemoFacts> {
  const facts = await ensureDemoAccount(deps)
  // Separate from the account so that a demo created before analytics existed still gets its data; idempotent.
  for (const project of facts.projects) {
    const profile = demoProfiles[project.name]
    if (profile) await seedProjectAnalytics(deps, project.id, profile)
  }
  return facts
}

async function ensureDemoAccount(deps: {
  services: Services
  storage: Storage
  users: UserDirectory
}): Promise<DemoFacts> {
  const projectsOf = async (accountId: string) =>
    (await deps.storage.projects.listByAccount(accountId)).map(({ id, name }) => ({ id, name }))
  const existing = await deps.storage.accounts.findBySlug(demoAccountSlug)
  if (existing) {
    const projects = await projectsOf(existing.id)
    return {
      accountId: existing.id,
      owner: { email: demoOwnerEmail, password: null },
      projects,
      key: null,
      created: false,
    }
  }

  const password = randomBytes(15).toString('base64url')
  const owner =
    (await deps.users.findByEmail(demoOwnerEmail)) ??
    (await deps.users.createWithPassword({ email: demoOwnerEmail, name: 'Demo Owner', password }))
  const actor = { kind: 'user', userId: owner.id } as const
  const account = await deps.services.accounts.create(operator, {
    name: demoAccountName,
    plan: 'pro',
    ownerUserId: owner.id,
  })
  const projects = []
  for (const name of demoProjectNames)
    projects.push(await deps.services.projects.create(actor, { accountId: account.id, name }))
  const [first] = projects
  if (!first) throw new Error('demo has no project')
  const key = await deps.services.keys.create(actor, { projectId: first.id, name: 'Demo full-access key' })
  return {
    accountId: account.id,
    owner: { email: demoOwnerEmail, password },
    projects: await projectsOf(account.id),
    key: { id: key.id, key: key.key, projectId: key.projectId },
    created: true,
  }
}
