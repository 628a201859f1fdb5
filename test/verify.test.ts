import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { createKeyFormat } from '../src/core/key-format.ts'
import type { KeyAuthRecord } from '../src/core/model.ts'
import { operator } from '../src/core/model.ts'
import { KeyVerifier } from '../src/core/verify.ts'
import { composeKeyward, type Keyward } from '../src/main.ts'
import { keylessRequest } from './support/activity-rows.ts'
import { type TestClock, teamWithProject, testClock, testKeyward } from './support/keyward.ts'

const format = createKeyFormat()
let keyward: Keyward
afterEach(() => keyward?.close())

/** Counts real store lookups, to tell a cache hit from a miss. */
function countingVerifier(k: Keyward, clock: TestClock, options = {}) {
  const lookups = { count: 0 }
  const store = {
    findAuthRecord: (hash: string) => {
      lookups.count++
      return k.storage.keys.findAuthRecord(hash)
    },
  }
  return { verifier: new KeyVerifier(store, format, clock, k.database.externalChanges, options), lookups }
}

describe('verify', () => {
  it('returns the project, account, plan and scopes of a valid key', async () => {
    const clock = testClock()
    keyward = await testKeyward({ clock })
    const { account, project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(owner, {
      projectId: project.id,
      name: 'k',
      scopes: ['tests.read'],
    })
    expect(await keyward.verifier.verify(key.key)).toEqual({
      ok: true,
      key: {
        id: key.id,
        projectId: project.id,
        accountId: account.id,
        plan: 'pro',
        scopes: ['tests.read'],
        expiresAt: null,
        revokedAt: null,
        createdAt: key.createdAt,
        maxLifetimeDays: null,
        mcpAllowed: true,
        exposedAt: null,
        disabledAt: null,
        allowedIps: [],
        rateLimitPerMinute: null,
      },
    })
  })

  it('names each failure reason', async () => {
    const clock = testClock()
    keyward = await testKeyward({ clock })
    const { project, owner } = await teamWithProject(keyward)
    const expiring = await keyward.services.keys.create(owner, {
      projectId: project.id,
      name: 'e',
      expires: '30d',
    })
    const revoked = await keyward.services.keys.create(owner, { projectId: project.id, name: 'r' })
    await keyward.services.keys.revoke(owner, { keyId: revoked.id })
    const valid = format.generate()
    const typo = valid.slice(0, 20) + (valid[20] === 'a' ? 'b' : 'a') + valid.slice(21)

    const reason = async (raw: string) => {
      const result = await keyward.verifier.verify(raw)
      return result.ok ? 'ok' : result.reason
    }
    expect(await reason('')).toBe('malformed')
    expect(await reason('Bearer nonsense')).toBe('malformed')
    expect(await reason(typo)).toBe('bad_checksum')
    expect(await reason(valid)).toBe('unknown')
    expect(await reason(revoked.key)).toBe('revoked')
    expect(await reason(expiring.key)).toBe('ok')
    clock.set((expiring.expiresAt ?? 0) + 1)
    expect(await reason(expiring.key)).toBe('expired')
  })

  it('serves a warm key from cache, and refuses it on the very next call after a revoke', async () => {
    const clock = testClock()
    keyward = await testKeyward({ clock })
    const { project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })
    const { verifier, lookups } = countingVerifier(keyward, clock)
    keyward.services = (await import('../src/core/services.ts')).createServices({
      ...keyward,
      keyFormat: format,
      verifier,
      allowInsecureWebhookUrls: false,
    })

    for (let i = 0; i < 5; i++) expect((await verifier.verify(key.key)).ok).toBe(true)
    expect(lookups.count).toBe(1)
    await keyward.services.keys.revoke(owner, { keyId: key.id })
    expect(await verifier.verify(key.key)).toMatchObject({
      ok: false,
      reason: 'revoked',
      key: { id: key.id },
    })
  })

  it('sees narrowed and widened scopes on the very next call', async () => {
    const clock = testClock()
    keyward = await testKeyward({ clock })
    const { project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })
    expect(await keyward.verifier.verify(key.key)).toMatchObject({ ok: true, key: { scopes: null } })
    await keyward.services.keys.updateScopes(owner, { keyId: key.id, scopes: ['visibility.read'] })
    expect(await keyward.verifier.verify(key.key)).toMatchObject({
      ok: true,
      key: { scopes: ['visibility.read'] },
    })
    await keyward.services.keys.updateScopes(owner, {
      keyId: key.id,
      scopes: ['visibility.read', 'tests.read'],
    })
    expect(await keyward.verifier.verify(key.key)).toMatchObject({
      key: { scopes: ['visibility.read', 'tests.read'] },
    })
  })

  it('does not cache a record read before a concurrent revoke committed', async () => {
    const clock = testClock()
    keyward = await testKeyward({ clock })
    const { project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })
    const stale = await keyward.storage.keys.findAuthRecord(
      (await import('../src/core/key-format.ts')).hashKey(key.key),
    )
    let release: (record: KeyAuthRecord | undefined) => void = () => {}
    let slow = true
    const store = {
      findAuthRecord: (hash: string) =>
        slow
          ? new Promise<KeyAuthRecord | undefined>((resolve) => {
              release = resolve
            })
          : keyward.storage.keys.findAuthRecord(hash),
    }
    const verifier = new KeyVerifier(store, format, clock)
    const inFlight = verifier.verify(key.key)
    await keyward.services.keys.revoke(owner, { keyId: key.id })
    verifier.evictKey(key.id)
    release(stale)
    expect((await inFlight).ok).toBe(true) // it started before the revoke returned
    slow = false
    expect(await verifier.verify(key.key)).toMatchObject({ ok: false, reason: 'revoked' })
  })

  it('keeps unknown keys in a bounded negative cache that cannot push real keys out', async () => {
    const clock = testClock()
    keyward = await testKeyward({ clock })
    const { project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })
    const { verifier, lookups } = countingVerifier(keyward, clock, {
      maxEntries: 10,
      maxNegativeEntries: 100,
    })
    await verifier.verify(key.key)
    const junk = Array.from({ length: 300 }, () => format.generate())
    for (const raw of junk) expect(await verifier.verify(raw)).toEqual({ ok: false, reason: 'unknown' })
    const afterFlood = lookups.count
    expect((await verifier.verify(key.key)).ok).toBe(true)
    expect(await verifier.verify(junk.at(-1) ?? '')).toEqual({ ok: false, reason: 'unknown' })
    expect(lookups.count).toBe(afterFlood) // both answered from cache
    await verifier.verify(junk[0] ?? '')
    expect(lookups.count).toBe(afterFlood + 1) // the oldest junk was evicted: the negative cache is bounded
  })

  it('trusts a cached record no longer than its lifetime, even without an eviction', async () => {
    const clock = testClock()
    keyward = await testKeyward({ clock })
    const { project, owner } = await teamWithProject(keyward)
    const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })
    const { verifier } = countingVerifier(keyward, clock, { ttlMs: 50 })
    expect((await verifier.verify(key.key)).ok).toBe(true)
    // A change the verifier is never told about (same connection, so no data_version change either).
    await keyward.database.db.updateTable('api_keys').set({ revoked_at: clock() }).execute()
    expect((await verifier.verify(key.key)).ok).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(await verifier.verify(key.key)).toMatchObject({ ok: false, reason: 'revoked' })
  })

  it('keeps its cache when another connection commits something else (the activity writer)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-verify-'))
    try {
      keyward = await composeKeyward(loadConfig({ DATABASE_URL: join(dir, 'keyward.db') }))
      const { project, owner } = await teamWithProject(keyward)
      const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })
      const lookups = vi.spyOn(keyward.storage.keys, 'findAuthRecord')
      expect((await keyward.verifier.verify(key.key)).ok).toBe(true)
      expect(lookups).toHaveBeenCalledTimes(1)
      // Activity rows go through the writer thread, on its own connection: a commit this connection sees.
      expect(keyward.database.activityWriter).toBeDefined()
      keyward.activity.record({ ...keylessRequest, at: Date.now() })
      await keyward.activity.flush()
      expect(await keyward.database.db.selectFrom('activity').select('id').execute()).toHaveLength(1)
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect((await keyward.verifier.verify(key.key)).ok).toBe(true)
      expect(lookups).toHaveBeenCalledTimes(1) // still a cache hit
    } finally {
      await keyward.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('sees a revoke committed by another process on the same SQLite file on the next call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-verify-'))
    try {
      const config = loadConfig({ DATABASE_URL: join(dir, 'keyward.db') })
      keyward = await composeKeyward(config)
      const { project, owner } = await teamWithProject(keyward)
      const key = await keyward.services.keys.create(owner, { projectId: project.id, name: 'k' })
      const other = await keyward.services.keys.create(operator, { projectId: project.id, name: 'other' })
      expect((await keyward.verifier.verify(key.key)).ok).toBe(true)
      expect((await keyward.verifier.verify(other.key)).ok).toBe(true)

      await promisify(execFile)(process.execPath, ['bin/keyward.js', 'key', 'revoke', key.id], {
        env: { ...process.env, DATABASE_URL: config.databaseUrl },
      })
      expect(await keyward.verifier.verify(key.key)).toMatchObject({ ok: false, reason: 'revoked' })
      expect((await keyward.verifier.verify(other.key)).ok).toBe(true)
    } finally {
      await keyward.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
