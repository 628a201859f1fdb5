import { describe, expect, it } from 'vitest'
import { type AccessTokenCheck, GrantVerifier, looksLikeAccessToken } from '../src/core/grant-verify.ts'
import type { GrantAuthRow } from '../src/core/ports.ts'
import type { Role } from '../src/core/roles.ts'
import type { Scope } from '../src/core/scopes.ts'
import { testClock } from './support/keyward.ts'

const row = (overrides: Partial<GrantAuthRow['grant']> = {}, role: Role | null = 'member'): GrantAuthRow => ({
  grant: {
    id: 'g1',
    accountId: 'a1',
    projectId: 'p1',
    userId: 'u1',
    clientId: 'c1',
    clientName: 'Claude Code',
    scopes: ['visibility.read', 'actions.read', 'actions.write'],
    revokedAt: null,
    ...overrides,
  },
  plan: 'pro',
  role,
  mcpOAuth: true,
})

/** A verifier over a fake decoder (each token string names its grant and scopes) and a counting store. */
function setup(options: { changed?: () => boolean } = {}) {
  const clock = testClock()
  const rows = new Map<string, GrantAuthRow>([['g1', row()]])
  let reads = 0
  let decodes = 0
  let pending: Array<() => void> = []
  let holdReads = false
  const store = {
    async findAuthRecord(id: string) {
      reads++
      const read = rows.get(id) // what the query saw; the answer may arrive after a commit
      if (holdReads) await new Promise<void>((resolve) => pending.push(resolve))
      return read
    },
  }
  const decode = async (token: string, now: number): Promise<AccessTokenCheck> => {
    decodes++
    const [grantId, scopes, exp] = token.split('|') as [string, string, string]
    if (now >= Number(exp)) return { ok: false, reason: 'expired', grantId }
    const [userId, clientId] = grantId === 'stolen' ? ['u2', 'c1'] : ['u1', 'c1']
    return {
      ok: true,
      grantId: grantId === 'stolen' ? 'g1' : grantId,
      scopes: scopes.split('+') as Scope[],
      expiresAt: Number(exp),
      userId,
      clientId,
    }
  }
  const verifier = new GrantVerifier(
    decode,
    store,
    clock,
    options.changed && { changedSinceLastCheck: options.changed },
  )
  const token = (scopes: string, grantId = 'g1') => `${grantId}|${scopes}|${clock() + 3_600_000}`
  return {
    clock,
    rows,
    verifier,
    token,
    counts: () => ({ reads, decodes }),
    hold: () => {
      holdReads = true
    },
    release: () => {
      holdReads = false
      for (const resolve of pending) resolve()
      pending = []
    },
  }
}

describe('GrantVerifier', () => {
  it('recognises compact JWS shapes, never a Keyward key', () => {
    expect(looksLikeAccessToken('eyJh.eyJz.c2ln')).toBe(true)
    expect(looksLikeAccessToken('eyJh.eyJz.')).toBe(true) // alg none: refused later, by the verifier
    expect(looksLikeAccessToken('dtk_live_abc123')).toBe(false)
    expect(looksLikeAccessToken('a.b')).toBe(false)
  })

  it('answers a known token synchronously, with no signature check or read, as a key-like record', async () => {
    const { verifier, token, counts } = setup()
    const t = token('visibility.read+actions.read+actions.write+webhooks.read')
    expect(verifier.verifyKnown(t)).toBeUndefined()
    const first = await verifier.verify(t)
    expect(first).toEqual({
      ok: true,
      key: expect.objectContaining({
        id: 'g1',
        projectId: 'p1',
        accountId: 'a1',
        plan: 'pro',
        // Granted ∩ in the token: webhooks.read was never granted.
        scopes: ['visibility.read', 'actions.read', 'actions.write'],
        grant: { userId: 'u1', clientId: 'c1', clientName: 'Claude Code' },
        mcpAllowed: true,
      }),
    })
    expect(counts()).toEqual({ reads: 1, decodes: 1 })
    const again = verifier.verifyKnown(t)
    expect(again).toEqual(first)
    if (again?.ok && first.ok) expect(again.key).toBe(first.key) // the same record: no allocation per request
    expect(counts()).toEqual({ reads: 1, decodes: 1 })
  })

  it('narrows to the role and refuses a departed user or a revoked grant once evicted', async () => {
    const { verifier, token, rows } = setup()
    const t = token('visibility.read+actions.read+actions.write')
    await verifier.verify(t)
    rows.set('g1', row({}, 'viewer'))
    verifier.evictKey('g1')
    expect(await verifier.verify(t)).toMatchObject({
      ok: true,
      key: { scopes: ['visibility.read', 'actions.read'] },
    })
    rows.set('g1', row({}, null))
    verifier.evictKey('g1')
    expect(await verifier.verify(t)).toMatchObject({ ok: false, reason: 'revoked', key: { id: 'g1' } })
    rows.set('g1', row({ revokedAt: 1 }))
    verifier.evictKey('g1')
    expect(await verifier.verify(t)).toMatchObject({ ok: false, reason: 'revoked' })
    expect(await verifier.verify(token('tests.read', 'nope'))).toEqual({ ok: false, reason: 'unknown' })
    // Signed, yet naming another user than the grant's: never accepted.
    expect(await verifier.verify(token('tests.read', 'stolen'))).toEqual({ ok: false, reason: 'unknown' })
  })

  it('does not cache a grant read that raced with an eviction', async () => {
    const { verifier, token, rows, hold, release, counts } = setup()
    const t = token('visibility.read')
    hold()
    const racing = verifier.verify(t)
    await new Promise((resolve) => setImmediate(resolve))
    rows.set('g1', row({ revokedAt: 1 }))
    verifier.evictKey('g1') // the revocation committed while the read was on its way
    release()
    expect((await racing).ok).toBe(true) // it read before the commit
    expect(await verifier.verify(t)).toMatchObject({ ok: false, reason: 'revoked' })
    expect(counts().reads).toBe(2)
  })

  it('checks a token again once it expires, and names the grant of an expired one', async () => {
    const { verifier, token, clock, counts } = setup()
    const t = token('visibility.read')
    await verifier.verify(t)
    clock.advance(3_600_000)
    expect(verifier.verifyKnown(t)).toBeUndefined()
    expect(await verifier.verify(t)).toMatchObject({ ok: false, reason: 'expired', key: { id: 'g1' } })
    expect(counts().decodes).toBe(2)
  })

  it('bypasses its grant cache whenever the change signal says so (a listener down, another process)', async () => {
    let changed = false
    const { verifier, token, counts } = setup({ changed: () => changed })
    const t = token('visibility.read')
    await verifier.verify(t)
    changed = true
    expect(verifier.verifyKnown(t)).toBeUndefined()
    await verifier.verify(t)
    expect(counts()).toEqual({ reads: 2, decodes: 1 }) // the signature is not checked again: it cannot change
  })
})
