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

  it('increase strictly within one millisecond, and when the clock steps back', () => {
    vi.useFakeTimers()
    // Instants after anything the other tests used: the generator remembers the latest millisecond it saw.
    vi.setSystemTime(2_000_000_000_000)
    const made = Array.from({ length: 1000 }, timeOrderedId)
    vi.setSystemTime(1_999_999_999_000) // an NTP step back by a second
    made.push(...Array.from({ length: 1000 }, timeOrderedId))
    for (let i = 1; i < made.length; i++) expect((made[i] ?? '') > (made[i - 1] ?? '')).toBe(true)
  })

  it('sort by the millisecond they were made in', () => {
    vi.useFakeTimers()
    const made: string[] = []
    for (let ms = 0; ms < 50; ms++) {
      vi.setSystemTime(2_100_000_000_000 + ms * 7)
      made.push(timeOrderedId())
    }
    expect([...made].sort()).toEqual(made)
    expect(made[0]?.slice(0, 13).replace('-', '')).toBe((2_100_000_000_000).toString(16).padStart(12, '0'))
  })
})
