import { describe, expect, it } from 'vitest'
import { expiresAtFor } from './expiration.ts'
import { keyStatus } from './key-status.ts'
import { normalizeScopes, scopeCatalogue } from './scopes.ts'

describe('key status with a fixed clock', () => {
  const expiresAt = Date.UTC(2026, 0, 31)

  it('is active up to and including expires_at, expired one millisecond after', () => {
    expect(keyStatus({ revokedAt: null, expiresAt }, expiresAt - 1)).toBe('active')
    expect(keyStatus({ revokedAt: null, expiresAt }, expiresAt)).toBe('active')
    expect(keyStatus({ revokedAt: null, expiresAt }, expiresAt + 1)).toBe('expired')
  })

  it('never expires without expires_at, and revoked wins over everything', () => {
    expect(keyStatus({ revokedAt: null, expiresAt: null }, Number.MAX_SAFE_INTEGER)).toBe('active')
    expect(keyStatus({ revokedAt: 1, expiresAt: null }, 2)).toBe('revoked')
    expect(keyStatus({ revokedAt: 1, expiresAt }, expiresAt + 1)).toBe('revoked')
  })

  it('shows a key a leak report flagged as exposed, revoked or not, expired or not', () => {
    expect(keyStatus({ revokedAt: null, expiresAt: null, exposedAt: 1 }, 2)).toBe('exposed')
    expect(keyStatus({ revokedAt: 1, expiresAt: null, exposedAt: 1 }, 2)).toBe('exposed')
    expect(keyStatus({ revokedAt: null, expiresAt, exposedAt: 1 }, expiresAt + 1)).toBe('exposed')
    expect(keyStatus({ revokedAt: 1, expiresAt: null, exposedAt: null }, 2)).toBe('revoked')
  })
})

describe('expiration choices', () => {
  const created = Date.UTC(2026, 10, 29)
  it.each([
    ['never', null],
    ['30d', created + 30 * 86_400_000],
    ['60d', created + 60 * 86_400_000],
    ['90d', created + 90 * 86_400_000],
    ['180d', created + 180 * 86_400_000],
    ['1y', created + 365 * 86_400_000],
  ])('%s counts from creation', (choice, expected) => {
    expect(expiresAtFor(choice, created)).toBe(expected)
  })

  it('refuses anything else', () => {
    for (const bad of ['7x', '30m', '367d', '', '1Y', 'toString', '__proto__'])
      expect(() => expiresAtFor(bad, created)).toThrow(/Invalid expiration/)
  })
})

describe('scopes', () => {
  it('stores all scopes as full access and others in catalogue order without duplicates', () => {
    expect(normalizeScopes(undefined)).toBeNull()
    expect(normalizeScopes([...scopeCatalogue].reverse())).toBeNull()
    expect(normalizeScopes(['webhooks.write', 'visibility.read', 'visibility.read'])).toEqual([
      'visibility.read',
      'webhooks.write',
    ])
  })

  it('refuses unknown and empty scope lists, naming the unknown scope', () => {
    expect(() => normalizeScopes(['visibility.read', 'admin'])).toThrow('Unknown scope: admin')
    expect(() => normalizeScopes([])).toThrow(/at least one scope/)
  })
})
