import { describe, expect, it } from 'vitest'
import { allScopes, presetOf, readOnlyScopes, scopesOfPreset } from '../web/src/catalogue.ts'
import { curlForKey } from '../web/src/keyCurl.ts'
import { pageNumbers } from '../web/src/pageNumbers.ts'

describe('the API Keys page helpers', () => {
  it('offers the first, last and nearby page numbers, with a gap for the rest', () => {
    expect(pageNumbers(1, 1)).toEqual([1])
    expect(pageNumbers(1, 21)).toEqual([1, 2, null, 21])
    expect(pageNumbers(3, 21)).toEqual([1, 2, 3, 4, null, 21]) // no gap for the one page between 1 and 2
    expect(pageNumbers(11, 21)).toEqual([1, null, 10, 11, 12, null, 21])
    expect(pageNumbers(21, 21)).toEqual([1, null, 20, 21])
  })

  it('names the preset a choice of scopes amounts to', () => {
    expect(presetOf(scopesOfPreset('full'))).toBe('full')
    expect(presetOf(scopesOfPreset('read-only'))).toBe('read-only')
    expect(readOnlyScopes.every((scope) => scope.endsWith('.read'))).toBe(true)
    expect(readOnlyScopes.length).toBeLessThan(allScopes.length)
    expect(presetOf(new Set(['tests.read']))).toBe('custom')
    expect(presetOf(new Set())).toBe('custom')
  })

  it("writes a curl for the first plain GET the key's scopes open, else the introspection endpoint", () => {
    const guide = [
      { scope: 'actions.write', endpoints: ['PATCH actions/{actionId}'], tools: [] },
      { scope: 'tests.read', endpoints: ['GET tests/{testId}', 'GET tests'], tools: [] },
    ]
    const base = { origin: 'https://kw.example', projectId: 'p1', rawKey: 'dtk_live_x', guide }
    expect(curlForKey({ ...base, scopes: ['tests.read'] })).toBe(
      'curl -sS https://kw.example/api/v2/projects/p1/tests \\\n  -H "Authorization: Bearer dtk_live_x"',
    )
    expect(curlForKey({ ...base, scopes: ['actions.write'] })).toContain('https://kw.example/api/v2/key ')
    expect(curlForKey({ ...base, scopes: null })).toContain('/projects/p1/tests ')
    expect(curlForKey({ ...base, scopes: null, guide: undefined })).toContain('/api/v2/key ')
  })
})
