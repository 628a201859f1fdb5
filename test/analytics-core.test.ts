import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getCitationStats, getTopDomains, getTopPages } from '../src/core/analytics/citations.ts'
import { getCompetitivePosition } from '../src/core/analytics/competitive.ts'
import { importTrackingResults } from '../src/core/analytics/import.ts'
import { getAdoptionMetrics, getTrafficSummary } from '../src/core/analytics/series.ts'
import {
  getVisibilityDiff,
  getVisibilityHeatmap,
  getVisibilitySummary,
} from '../src/core/analytics/visibility.ts'
import { windowEndingToday } from '../src/core/analytics/window.ts'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { teamWithProject, testClock, testKeyward } from './support/keyward.ts'

// Today is 2026-03-31 (UTC). The 30-day window is 2026-03-02..2026-03-31; 2026-03-01 is the last day of the
// previous window (2026-01-31..2026-03-01).
const clock = testClock(Date.UTC(2026, 2, 31, 15, 30))
const run = (date: string, platform: string, topic: string, mentioned: boolean, extra: object) => ({
  date,
  platform,
  topic,
  prompt: `${topic} prompt`,
  brandMentioned: mentioned,
  ...extra,
})
const p1 = { url: 'https://brand.example/p1', title: 'P1', classification: 'primary' }
const c1 = { url: 'https://www.comp.example/c1', title: 'C1', classification: 'competitor' }
const o1 = { url: 'https://other.example/o1', title: 'O1', classification: 'other' }
const fixture = {
  results: [
    run('2026-03-31', 'chatgpt', 'A', true, { position: 1, competitors: ['X'], citations: [p1, c1] }),
    run('2026-03-02', 'claude', 'A', true, { position: 3, competitors: ['X', 'Y'], citations: [p1] }),
    run('2026-03-15', 'chatgpt', 'B', false, { competitors: ['Y'], citations: [c1, o1] }),
    run('2026-03-01', 'chatgpt', 'A', true, { position: 2, citations: [p1] }),
    run('2026-02-20', 'claude', 'B', false, { competitors: ['X'] }),
  ],
}

let keyward: Keyward
let projectId: string
let emptyProjectId: string
beforeAll(async () => {
  keyward = await testKeyward({ clock })
  const team = await teamWithProject(keyward)
  projectId = team.project.id
  emptyProjectId = (
    await keyward.services.projects.create(team.owner, { accountId: team.account.id, name: 'Empty' })
  ).id
  await importTrackingResults(keyward, operator, { projectId, file: fixture })
})
afterAll(() => keyward.close())

const q = (extra: object = {}) => ({ projectId, windowDays: 30 as const, ...extra })

describe('the window', () => {
  it('is the N whole UTC days ending today, both ends included', () => {
    const w = windowEndingToday(clock(), 30)
    expect(new Date(w.from).toISOString()).toBe('2026-03-02T00:00:00.000Z')
    expect(new Date(w.to).toISOString()).toBe('2026-03-31T00:00:00.000Z')
  })
})

describe('visibility', () => {
  it('computes the summary of the window, counting its first day and not the day before', async () => {
    const s = await getVisibilitySummary(keyward, operator, q())
    expect(s.window).toEqual({ days: 30, startDate: '2026-03-02', endDate: '2026-03-31' })
    expect(s).toMatchObject({
      totalRuns: 3, // runs of 03-31, 03-02 (boundary, in) and 03-15; 03-01 is out
      brandMentions: 2,
      competitorMentions: 4, // 1 + 2 + 1
      shareOfVoice: 0.3333, // 2 / (2 + 4)
      presenceRate: 0.6667, // 2 / 3
      averagePosition: 2, // (1 + 3) / 2
      citations: { total: 5, primary: 2, competitor: 2, other: 1 },
    })
  })

  it('filters by platform and by topic, and a 90-day window takes every run', async () => {
    const chatgpt = await getVisibilitySummary(keyward, operator, q({ platform: 'chatgpt' }))
    // runs of 03-31 and 03-15: 1 mention, competitors 1 + 1
    expect(chatgpt).toMatchObject({
      totalRuns: 2,
      shareOfVoice: 0.3333,
      presenceRate: 0.5,
      averagePosition: 1,
    })
    const all = await getVisibilitySummary(keyward, operator, { projectId, windowDays: 90 })
    // 5 runs, 3 mentions, competitors 1 + 2 + 1 + 0 + 1 = 5: 3 / 8; positions (1 + 3 + 2) / 3
    expect(all).toMatchObject({ totalRuns: 5, shareOfVoice: 0.375, presenceRate: 0.6, averagePosition: 2 })
    const heat = await getVisibilityHeatmap(keyward, operator, { ...q(), groupBy: 'topic' })
    const topicA = ('topics' in heat ? heat.topics : []).find((t) => t.topicName === 'A')
    if (!topicA) throw new Error('topic A missing')
    const onlyA = await getVisibilitySummary(keyward, operator, q({ topicId: topicA.topicId }))
    expect(onlyA).toMatchObject({ totalRuns: 2, presenceRate: 1, shareOfVoice: 0.4 }) // 2 / (2 + 3)
    await expect(
      getVisibilitySummary(keyward, operator, q({ topicId: '3f1d2c4b-5a69-4788-9abc-def012345678' })),
    ).rejects.toThrow('Topic not found')
  })

  it('diffs against the previous window of equal length', async () => {
    const d = await getVisibilityDiff(keyward, operator, q())
    expect(d.previous.window).toEqual({ days: 30, startDate: '2026-01-31', endDate: '2026-03-01' })
    // previous: runs of 03-01 (mentioned, position 2) and 02-20 (competitor X): 1 / (1 + 1)
    expect(d.previous).toMatchObject({
      totalRuns: 2,
      shareOfVoice: 0.5,
      presenceRate: 0.5,
      averagePosition: 2,
    })
    expect(d.delta).toEqual({
      shareOfVoice: -0.1667, // 0.3333 - 0.5
      presenceRate: 0.1667, // 0.6667 - 0.5
      brandMentions: 1,
      competitorMentions: 3,
      totalRuns: 1,
      averagePosition: 0,
      citations: 4, // 5 - 1
    })
  })

  it('maps presence per topic and platform, null where nothing ran', async () => {
    const heat = await getVisibilityHeatmap(keyward, operator, { ...q(), groupBy: 'topic' })
    expect(heat.platforms).toEqual(['chatgpt', 'claude'])
    expect(('topics' in heat ? heat.topics : []).map((t) => [t.topicName, t.platforms])).toEqual([
      [
        'A',
        {
          chatgpt: { runs: 1, brandMentions: 1, presenceRate: 1 },
          claude: { runs: 1, brandMentions: 1, presenceRate: 1 },
        },
      ],
      [
        'B',
        {
          chatgpt: { runs: 1, brandMentions: 0, presenceRate: 0 },
          claude: { runs: 0, brandMentions: 0, presenceRate: null },
        },
      ],
    ])
    const byPrompt = await getVisibilityHeatmap(keyward, operator, { ...q(), groupBy: 'prompt' })
    expect(('prompts' in byPrompt ? byPrompt.prompts : []).map((p) => p.promptText)).toEqual([
      'A prompt',
      'B prompt',
    ])
  })

  it('answers zeros for a project without data', async () => {
    const s = await getVisibilitySummary(keyward, operator, { projectId: emptyProjectId, windowDays: 30 })
    expect(s).toMatchObject({ totalRuns: 0, shareOfVoice: 0, presenceRate: 0, averagePosition: null })
    expect(s.citations.total).toBe(0)
  })
})

describe('citations', () => {
  it('totals, and pages and domains sorted by count then by name, paginated', async () => {
    const stats = await getCitationStats(keyward, operator, q())
    expect(stats.stats).toEqual({
      totalCitations: 5,
      primaryCitations: 2,
      competitorCitations: 2,
      otherCitations: 1,
      primaryShare: 0.4, // 2 / 5
      uniquePages: 3,
      uniqueDomains: 3,
      totalRuns: 3,
      citationsPerRun: 1.6667, // 5 / 3
    })
    const first = await getTopPages(keyward, operator, { ...q(), page: 1, pageSize: 2 })
    // p1 and c1 both 2: the URL breaks the tie. p1 ranks 1 and 1; c1 ranks 2 and 1.
    expect(first.pages.map((p) => [p.url, p.count, p.avgPosition, p.top3Count])).toEqual([
      ['https://brand.example/p1', 2, 1, 2],
      ['https://www.comp.example/c1', 2, 1.5, 2],
    ])
    expect(first.pagination).toEqual({ page: 1, pageSize: 2, totalCount: 3, totalPages: 2 })
    const second = await getTopPages(keyward, operator, { ...q(), page: 2, pageSize: 2 })
    expect(second.pages.map((p) => p.url)).toEqual(['https://other.example/o1'])
    const domains = await getTopDomains(keyward, operator, {
      ...q(),
      page: 1,
      pageSize: 25,
      classification: 'competitor',
    })
    expect(domains.domains).toEqual([
      { domain: 'comp.example', classification: 'competitor', count: 2, pages: 1, share: 1 },
    ])
  })

  it('buckets the competitive series weekly from Monday, listing empty weeks', async () => {
    const c = await getCompetitivePosition(keyward, operator, { ...q(), grouping: 'weekly' })
    // 03-02 is a Monday; 03-15 a Sunday (week of 03-09); 03-31 a Tuesday (week of 03-30)
    expect(c.series.map((s) => [s.periodStart, s.primary, s.competitor, s.other])).toEqual([
      ['2026-03-02', 1, 0, 0],
      ['2026-03-09', 0, 1, 1],
      ['2026-03-16', 0, 0, 0],
      ['2026-03-23', 0, 0, 0],
      ['2026-03-30', 1, 1, 0],
    ])
    expect(c.totals).toEqual({
      primary: 2,
      competitor: 2,
      other: 1,
      total: 5,
      primaryShare: 0.4,
      competitorShare: 0.4,
    })
    const daily = await getCompetitivePosition(keyward, operator, { ...q(), grouping: 'daily' })
    expect(daily.series).toHaveLength(30)
  })
})

describe('adoption and traffic', () => {
  beforeAll(async () => {
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`)
    const adoption = (d: string, source: 'npm' | 'github', name: string, value: number) => ({
      projectId,
      day: day(d),
      source,
      name,
      value,
    })
    await keyward.storage.series.insertAdoption([
      adoption('2026-03-31', 'npm', 'kw', 10),
      adoption('2026-03-02', 'npm', 'kw', 5),
      adoption('2026-03-01', 'npm', 'kw', 7),
      adoption('2026-02-28', 'github', 'kw/kw', 100),
      adoption('2026-03-10', 'github', 'kw/kw', 110),
      adoption('2026-03-31', 'github', 'kw/kw', 125),
    ])
    const visit = (d: string, source: string, landingPage: string, visits: number) => ({
      projectId,
      day: day(d),
      source,
      landingPage,
      visits,
    })
    await keyward.storage.series.insertTraffic([
      visit('2026-03-31', 'chatgpt', '/a', 10),
      visit('2026-03-02', 'perplexity', '/b', 5),
      visit('2026-03-01', 'chatgpt', '/a', 4),
    ])
  })

  it('sums downloads, measures star gains and compares with the previous window', async () => {
    const a = await getAdoptionMetrics(keyward, operator, q())
    // 10 + 5 in the window, 7 on 03-01 before it: (15 - 7) / 7 = +114.29 %
    expect(a.npm).toEqual({
      totalDownloads: 15,
      previousTotalDownloads: 7,
      changePercent: 114.29,
      packages: [{ name: 'kw', downloads: 15, previousDownloads: 7, changePercent: 114.29 }],
    })
    // 125 today; 100 at the end of the previous window: +25
    expect(a.github.repositories).toEqual([
      { name: 'kw/kw', stars: 125, starsGained: 25, previousStarsGained: 0 },
    ])
    expect(a.series[0]).toEqual({ date: '2026-03-02', npmDownloads: 5, githubStars: 100 })
  })

  it('totals visits by source and landing page with change', async () => {
    const t = await getTrafficSummary(keyward, operator, q())
    expect(t).toMatchObject({ totalVisits: 15, previousTotalVisits: 4, changePercent: 275 }) // (15 - 4) / 4
    expect(t.bySource).toEqual([
      { source: 'chatgpt', visits: 10, share: 0.6667, previousVisits: 4, changePercent: 150 },
      { source: 'perplexity', visits: 5, share: 0.3333, previousVisits: 0, changePercent: null },
    ])
    expect(t.series).toHaveLength(30)
    const empty = await getTrafficSummary(keyward, operator, { projectId: emptyProjectId, windowDays: 90 })
    expect(empty).toMatchObject({ totalVisits: 0, changePercent: null, bySource: [] })
  })
})
