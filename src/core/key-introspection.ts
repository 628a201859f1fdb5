import { keyRateLimit } from './api-access.ts'
import { notFound } from './errors.ts'
import type { KeyAuthRecord } from './model.ts'
import type { Storage } from './ports.ts'
import type { RateLimiter } from './rate-limit.ts'
import { type ScopeSet, scopeCatalogue } from './scopes.ts'

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString())

/** The scopes a key may use, spelled out: full access (`null`) is every scope of the catalogue. */
export const scopeList = (scopes: ScopeSet) => (scopes === null ? [...scopeCatalogue] : [...scopes])

/**
 * What a key may do, asked by the key itself (`GET /api/v2/key`, `devtune_whoami`), so a client can check its access
 * before it fails. The budget is read after this very request was charged: introspection is a keyed request like
 * any other, counted against the limit and logged in Agent Activity.
 */
export async function describeOwnKey(
  deps: { storage: Pick<Storage, 'keys' | 'oauthGrants'>; rateLimiter: Pick<RateLimiter, 'peek'> },
  key: KeyAuthRecord,
) {
  if (key.grant) return describeOwnGrant(deps, key)
  const stored = await deps.storage.keys.findById(key.id)
  if (!stored) throw notFound('API key') // revoked and deleted between verification and here
  const budget = await deps.rateLimiter.peek(key.id, keyRateLimit(key))
  return {
    id: stored.id,
    name: stored.name,
    prefix: stored.prefix,
    projectId: stored.projectId,
    scopes: scopeList(stored.scopes),
    expiresAt: iso(stored.expiresAt),
    createdAt: iso(stored.createdAt) as string,
    rateLimit: {
      limit: budget.limit,
      remaining: budget.remaining,
      resetAt: new Date(budget.resetAt * 1000).toISOString(),
    },
  }
}

/**
 * An OAuth connection (MCP only) asking `devtune_whoami`: its grant, named by its client, with the scopes it may use
 * now (granted, in its token, and still within its user's role). Its tokens expire, the grant itself does not.
 */
async function describeOwnGrant(
  deps: { storage: Pick<Storage, 'oauthGrants'>; rateLimiter: Pick<RateLimiter, 'peek'> },
  key: KeyAuthRecord,
) {
  const grant = await deps.storage.oauthGrants.findById(key.id)
  if (!grant) throw notFound('Grant')
  const budget = await deps.rateLimiter.peek(key.id, keyRateLimit(key))
  return {
    id: grant.id,
    name: grant.clientName,
    prefix: '',
    projectId: grant.projectId,
    scopes: scopeList(key.scopes),
    expiresAt: null,
    createdAt: iso(grant.createdAt) as string,
    rateLimit: {
      limit: budget.limit,
      remaining: budget.remaining,
      resetAt: new Date(budget.resetAt * 1000).toISOString(),
    },
  }
}
