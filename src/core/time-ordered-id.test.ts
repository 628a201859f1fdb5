import { afterEach, describe, expect, it, vi } from 'vitest'
import { timeOrderedId } from './time-ordered-id.ts'

const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('time-ordered ids', () => {
  afterEach(() => vi.useRealTimers())

  it('are distinct UUIDv7 across several refills of the random pool', () => {
    const ids = Array.from({ length: 2000 }, timeOrderedId)
    for (const id of ids) expect(id).toMatch(uuidV7)
    expect(new Set(ids).size).toBe(ids.length)
    // 2,000 ids use eight fills of 256: the random tails (after the timestamp) must not repeat between fills.
    expect(new Set(ids.map((id) => id.slice(19))).size).toBe(ids.length)
  })

  it('sort by the millisecond they were made in', () => {
    vi.useFakeTimers()
    const made: string[] = []
    for (let ms = 0; ms < 50; ms++) {
      vi.setSystemTime(1_790_000_000_000 + ms * 7)
      made.push(timeOrderedId())
    }
    expect([...made].sort()).toEqual(made)
    expect(made[0]?.slice(0, 13).replace('-', '')).toBe((1_790_000_000_000).toString(16).padStart(12, '0'))
  })
})
