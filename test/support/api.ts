import type { FastifyInstance, InjectOptions } from 'fastify'
import { operator } from '../../src/core/model.ts'
import type { RateLimiter } from '../../src/core/rate-limit.ts'
import { type Scope, scopeCatalogue } from '../../src/core/scopes.ts'
import { appDeps, type Keyward } from '../../src/main.ts'
import type { KeyedRoute } from '../../src/transport/capabilities/capability.ts'
import { type PublicServices, publicRoutes } from '../../src/transport/capabilities/table.ts'
import { buildApp } from '../../src/transport/http/app.ts'
import { newUser, teamWithProject, testClock, testKeyward } from './keyward.ts'

export const day = 86_400_000

/**
 * Two pro accounts (A with projects `project` and `sibling`, B with `foreign`), a free account, and helpers to
 * mint keys of every kind the security matrix needs.
 */
export async function apiWorld(options: { rateLimiter?: RateLimiter; allowHttpWebhooks?: boolean } = {}) {
  const now = Date.now()
  const clock = testClock(now)
  const env: Record<string, string> = options.allowHttpWebhooks ? { KEYWARD_ALLOW_HTTP_WEBHOOKS: '1' } : {}
  const keyward: Keyward = await testKeyward({ clock, env })
  const a = await teamWithProject(keyward)
  const sibling = await keyward.services.projects.create(a.owner, { accountId: a.account.id, name: 'Docs' })
  const b = await teamWithProject(keyward)
  const freeOwner = await newUser(keyward, 'free')
  const freeAccount = await keyward.services.accounts.create(freeOwner, { name: 'Free team', plan: 'free' })
  const freeProject = await keyward.services.projects.create(freeOwner, {
    accountId: freeAccount.id,
    name: 'F',
  })

  const mint = async (projectId: string, extra: { scopes?: Scope[]; expires?: string } = {}) =>
    (await keyward.services.keys.create(operator, { projectId, name: 'test key', ...extra })).key

  const app: FastifyInstance = await buildApp({
    ...appDeps(keyward),
    logLevel: 'silent',
    ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
  })

  return {
    keyward,
    clock,
    app,
    account: a.account,
    /** The owners of the account of `project` (and `sibling`), of `foreign`'s and of the free account. */
    owners: { a: a.owner, b: b.owner, free: freeOwner },
    project: a.project,
    sibling,
    foreign: b.project,
    freeProject,
    mint,
    /** A key of `project` that expired a day ago. */
    async expiredKey() {
      clock.set(now - 31 * day)
      const key = await mint(a.project.id, { expires: '30d' })
      clock.set(now)
      return key
    },
    /** The previous secret of a key of `project` rolled two hours ago with a 1-hour grace (ended an hour ago). */
    async previousSecretAfterGrace() {
      clock.set(now - 2 * 3_600_000)
      const created = await keyward.services.keys.create(operator, {
        projectId: a.project.id,
        name: 'rolled',
      })
      await keyward.services.keys.rotate(operator, { keyId: created.id, grace: '1h' })
      clock.set(now)
      return created.key
    },
    async revokedKey() {
      const created = await keyward.services.keys.create(operator, {
        projectId: a.project.id,
        name: 'revoked',
      })
      await keyward.services.keys.revoke(operator, { keyId: created.id })
      return created.key
    },
    /** A project of a new account on the plus plan (100 requests a minute per key). */
    async plusProject() {
      const plus = await keyward.services.accounts.create(operator, { name: 'Plus team', plan: 'plus' })
      return keyward.services.projects.create(operator, { accountId: plus.id, name: 'Plus project' })
    },
    /** A key of `project`, paused by its owner. */
    async disabledKey() {
      const created = await keyward.services.keys.create(operator, {
        projectId: a.project.id,
        name: 'paused',
      })
      await keyward.services.keys.setDisabled(operator, { keyId: created.id, disabled: true })
      return created.key
    },
    /** A key of `project` usable only from documentation ranges: never from the tests' loopback client. */
    async ipFencedKey() {
      const created = await keyward.services.keys.create(operator, {
        projectId: a.project.id,
        name: 'fenced',
        controls: { allowedIps: ['203.0.113.0/24', '2001:db8::/32'] },
      })
      return created.key
    },
    /** Every scope but one. */
    withoutScope: (scope: Scope) => mint(a.project.id, { scopes: scopeCatalogue.filter((s) => s !== scope) }),
    async close() {
      await app.close()
      await keyward.close()
    },
  }
}

/** The route table alone: no handler of it runs, so it needs no bound use-cases. */
export const routesUnderTest: KeyedRoute[] = publicRoutes({} as PublicServices)

/**
 * Whether a refusal can happen on a route: a route without a project in its path (`/key`) has no wrong project, and
 * one that needs no scope has no missing scope; every other refusal applies to every route.
 */
export const refusalApplies = (reason: string, route: Pick<KeyedRoute, 'path' | 'scope'>) =>
  reason === 'wrong_project'
    ? route.path.includes(':projectId')
    : reason === 'missing_scope'
      ? route.scope !== null
      : true

/** A request that reaches `route` for `projectId`; other path parameters get a well-formed id. */
export function requestFor(
  route: KeyedRoute,
  projectId: string,
  headers: Record<string, string> = {},
): InjectOptions {
  const url = `/api/v2${route.path}`
    .replace(':projectId', projectId)
    .replace(/:[A-Za-z]+/g, '3f1d2c4b-5a69-4788-9abc-def012345678')
  return { method: route.method, url, headers, ...(route.body ? { payload: {} } : {}) }
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` })
