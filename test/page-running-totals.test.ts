import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importTrackingResults } from '../src/core/analytics/import.ts'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { up as migrateTo0007 } from '../src/storage/migrations/0007-page-running-totals.ts'
import { testDatabases } from './support/databases.ts'
import { teamWithProject, testClock, testKeyward } from './support/keyward.ts'

const day = 86_400_000
const today = Date.UTC(2026, 2, 31)

/** mulberry32: a small deterministic generator (32-bit integer arithmetic), so a failure replays from its seed. */
function random(seed: number) {
  let state = seed >>> 0
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) % n
  }
}

const urls = Array.from({ length: 12 }, (_, i) => `https://site${i % 4}.example/page-${i}`)
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10)

/**
 * Top pages read running totals (migration 0007): a window's count is the total through its last day minus the total
 * before its first. Imports in any order of days, and re-imports that replace a day, must leave every window's
 * ranking exactly what the raw citations give.
 */
describe.each(testDatabases)('top pages from running totals on $name', (database) => {
  let keyward: Keyward
  let projectId: string
  beforeEach(async () => {
    keyward = await testKeyward({ database, clock: testClock(today + 15 * 3_600_000) })
    projectId = (await teamWithProject(keyward)).project.id
  })
  afterEach(() => keyward.close())

  it.each([1, 2, 3])('match the raw citations for every window (seed %i)', async (seed) => {
    const pick = random(seed)
    // What the project holds in the end: per day, the runs of the last import of that day.
    const held = new Map<string, Array<{ url: string }[]>>()
    // Old days first, then recent ones, then the middle again (out of order), then a re-import of recent days:
    // each later import starts its recomputation in the middle of what is already stored.
    const spans = [
      [0, 60],
      [0, 60],
      [0, 10],
      [30, 40],
      [0, 5],
      [20, 25],
    ] as const
    for (const [newest, oldest] of spans) {
      const days = Array.from({ length: 1 + pick(8) }, () =>
        isoDay(today - (newest + pick(oldest - newest)) * day),
      )
      const results = [...new Set(days)].flatMap((date) =>
        ['chatgpt', 'claude'].map((platform) => {
          const citations = Array.from({ length: pick(4) }, () => {
            const url = urls[pick(urls.length)] as string
            return {
              url,
              title: `Title ${url.slice(-2)}`,
              classification: url.includes('site0') ? 'primary' : 'other',
            }
          })
          return { date, platform, topic: 'T', prompt: 'P', brandMentioned: pick(2) === 1, citations }
        }),
      )
      await importTrackingResults(keyward, operator, { projectId, file: { results } })
      for (const date of new Set(results.map((r) => r.date))) {
        held.set(
          date,
          results.filter((r) => r.date === date).map((r) => r.citations),
        )
      }
    }

    for (const [fromAgo, length] of [
      [59, 60],
      [29, 30],
      [40, 7],
      [10, 1],
      [0, 1],
      [pick(60), 1 + pick(30)],
    ] as const) {
      const from = today - fromAgo * day
      const to = Math.min(today, from + (length - 1) * day)
      const expected = new Map<string, number>()
      const ranks = new Map<string, { rankSum: number; top3: number }>()
      expect(held.size).toBeGreaterThan(5) // the generator must produce real data, or nothing is tested
      for (const [date, runs] of held) {
        const at = Date.parse(date)
        if (at < from || at > to) continue
        for (const citation of runs.flat()) expected.set(citation.url, (expected.get(citation.url) ?? 0) + 1)
        for (const run of runs)
          for (const [i, citation] of run.entries()) {
            const figures = ranks.get(citation.url) ?? { rankSum: 0, top3: 0 }
            ranks.set(citation.url, {
              rankSum: figures.rankSum + i + 1,
              top3: figures.top3 + (i < 3 ? 1 : 0),
            })
          }
      }
      const ranked = [...expected].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      const shown = (url: string, count: number) => {
        const figures = ranks.get(url) ?? { rankSum: 0, top3: 0 }
        return [
          url,
          count,
          Math.round((figures.rankSum / count) * 100) / 100,
          figures.top3,
          `Title ${url.slice(-2)}`,
        ]
      }
      const firstPage = await keyward.storage.tracking.topPages(
        { projectId, from, to },
        { offset: 0, limit: 5 },
      )
      expect(firstPage.totalCount, `${isoDay(from)}..${isoDay(to)}`).toBe(ranked.length)
      expect(firstPage.rows.map((r) => [r.url, r.count, r.avgRank, r.top3Count, r.title])).toEqual(
        ranked.slice(0, 5).map(([url, count]) => shown(url, count)),
      )
      const rest = await keyward.storage.tracking.topPages({ projectId, from, to }, { offset: 5, limit: 100 })
      expect(rest.rows.map((r) => [r.url, r.count])).toEqual(ranked.slice(5))
      expect(rest.totalCount).toBe(ranked.length)
    }
  })

  it('migration 0007 backfills the totals of data stored before it', async () => {
    const citations = [{ url: 'https://a.example/one', title: 'One', classification: 'primary' }]
    const results = [0, 3, 40].map((ago) => ({
      date: isoDay(today - ago * day),
      platform: 'chatgpt',
      topic: 'T',
      prompt: 'P',
      brandMentioned: true,
      citations,
    }))
    await importTrackingResults(keyward, operator, { projectId, file: { results } })
    const db = keyward.database.db
    // Back to the state before 0007: its tables and index gone, the older rollups in place.
    await sql`drop table tracking_page_running`.execute(db)
    await sql`drop table tracking_pages`.execute(db)
    await sql`drop index tracking_page_daily_by_url`.execute(db)
    await migrateTo0007(db as never)
    const top = await keyward.storage.tracking.topPages(
      { projectId, from: today - 29 * day, to: today },
      { offset: 0, limit: 10 },
    )
    expect(top.rows.map((r) => [r.url, r.count, r.title, r.classification])).toEqual([
      ['https://a.example/one', 2, 'One', 'primary'],
    ])
  })
})
