import { describe, expect, it } from 'vitest'
import { readOnlyScopes } from '../web/src/catalogue.ts'
import { defaultConsentScopes, formatSeconds, grantedScopes, unavailableScopes } from '../web/src/consent.ts'
import { nextPath, signInPath } from '../web/src/navigation.ts'

const next = (value: string) => nextPath(new URLSearchParams({ next: value }))

describe('sign-in and back: ?next= stays on this site', () => {
  it('returns to the consent page it came from, query included', () => {
    const path = signInPath({ pathname: '/oauth/consent/u-1', search: '?x=1' })
    expect(path).toBe('/sign-in?next=%2Foauth%2Fconsent%2Fu-1%3Fx%3D1')
    expect(nextPath(new URL(path, 'http://h').searchParams)).toBe('/oauth/consent/u-1?x=1')
  })

  it('refuses every way out of the origin, and goes to the root instead', () => {
    for (const outside of [
      '//evil.test/x',
      '/\\evil.test',
      '/\t/evil.test',
      '/\n/evil.test',
      'https://evil.test/',
      'javascript:alert(1)',
      'oauth/consent/u-1',
      '',
    ])
      expect(next(outside), JSON.stringify(outside)).toBe('/')
    expect(nextPath(new URLSearchParams())).toBe('/')
    expect(next('/a/acc/keys?q=x#top')).toBe('/a/acc/keys?q=x#top')
  })
})

describe('the consent page defaults', () => {
  const all = [...readOnlyScopes, 'actions.write', 'webhooks.write']

  it('ticks the read scopes the role may grant, never a write one', () => {
    expect([...defaultConsentScopes([], all)]).toEqual(readOnlyScopes)
    expect([...defaultConsentScopes([], ['tests.read', 'actions.write'])]).toEqual(['tests.read'])
  })

  it('narrows to what the app asked for when it asked', () => {
    expect([...defaultConsentScopes(['actions.read', 'actions.write', 'nope.read'], all)]).toEqual([
      'actions.read',
    ])
    expect([...defaultConsentScopes(['actions.write'], all)]).toEqual([])
  })

  const reasons = { role: 'role', notRequested: 'not asked' }

  it('withholds scopes above the role, and, when the app named some, those it did not name', () => {
    const viewer = unavailableScopes(readOnlyScopes, [], reasons)
    expect([...viewer]).toEqual([
      ['actions.write', 'role'],
      ['webhooks.write', 'role'],
    ])
    const asked = unavailableScopes(all, ['tests.read', 'actions.write'], reasons)
    expect(asked.has('tests.read')).toBe(false)
    expect(asked.has('actions.write')).toBe(false)
    expect(asked.get('visibility.read')).toBe('not asked')
    // The role's reason wins: asking cannot lift the ceiling.
    expect(unavailableScopes(readOnlyScopes, ['actions.write'], reasons).get('actions.write')).toBe('role')
  })

  it('sends only the scopes that may be granted, in catalogue order', () => {
    const unavailable = unavailableScopes(['tests.read', 'webhooks.write', 'actions.write'], [], reasons)
    expect(grantedScopes(new Set(['webhooks.write', 'tests.read', 'visibility.read']), unavailable)).toEqual([
      'tests.read',
      'webhooks.write',
    ])
  })

  it('spells lifetimes in the largest exact unit', () => {
    expect(formatSeconds(3600)).toBe('1 hour')
    expect(formatSeconds(14 * 86_400)).toBe('14 days')
    expect(formatSeconds(5400)).toBe('90 minutes')
    expect(formatSeconds(45)).toBe('45 seconds')
  })
})
