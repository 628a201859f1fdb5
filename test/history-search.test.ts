import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { managementEvent } from '../src/core/events.ts'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { testDatabases } from './support/databases.ts'
import { teamWithProject, testClock, testKeyward } from './support/keyward.ts'

describe.each(testDatabases)('management history on $name', (database) => {
  let keyward: Keyward
  beforeEach(async () => {
    keyward = await testKeyward({ database, clock: testClock() })
  })
  afterEach(() => keyward.close())

  it('pages past 100 events and filters by action, actor and target', async () => {
    const { account, owner } = await teamWithProject(keyward)
    const start = Date.UTC(2026, 0, 1)
    // 150 key events, several in the same millisecond: the owner's and the operator's, on two keys.
    for (let i = 0; i < 150; i++) {
      const event = managementEvent(i % 3 === 0 ? operator : owner, start + Math.floor(i / 4), {
        accountId: account.id,
        action: i % 2 === 0 ? 'key.created' : 'key.revoked',
        targetType: 'key',
        targetId: `key-${i % 5}`,
      })
      await keyward.storage.events.append(event)
    }
    const list = (input: object) =>
      keyward.queries.history(owner, { accountId: account.id, targetType: 'key', limit: 100, ...input })

    const first = await list({})
    const second = await list({ before: first.nextBefore })
    expect(first.events).toHaveLength(100)
    expect(second.events).toHaveLength(50)
    expect(second.nextBefore).toBeNull()
    const ids = [...first.events, ...second.events].map((e) => e.id)
    expect(new Set(ids).size).toBe(150)

    const byOperator = await list({ actor: 'operator', action: 'key.created', limit: 500 })
    expect(byOperator.events.length).toBe(25) // i % 3 === 0 and even: i % 6 === 0
    expect(new Set(byOperator.events.map((e) => `${e.actor.kind} ${e.action}`))).toEqual(
      new Set(['operator key.created']),
    )
    const byOwner = await list({ actor: owner.userId, targetId: 'key-1', limit: 500 })
    expect(byOwner.events.length).toBe(20) // i % 5 === 1 (30), less those of the operator (10)
    expect(byOwner.events.every((e) => e.actor.id === owner.userId && e.targetId === 'key-1')).toBe(true)
    await expect(list({ before: 'nonsense' })).rejects.toMatchObject({ code: 'bad_request' })
  })
})
