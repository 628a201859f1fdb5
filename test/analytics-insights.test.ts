import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { interventionPeriodDays, updateActionStatus } from '../src/core/analytics/actions.ts'
import { getWhatWorks } from '../src/core/analytics/intelligence.ts'
import type { Action, PromptTest } from '../src/core/analytics/model.ts'
import { getPromptTest, listPromptTests } from '../src/core/analytics/tests.ts'
import { KeywardError } from '../src/core/errors.ts'
import { operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { teamWithProject, testClock, testKeyward } from './support/keyward.ts'

// Today is 2026-03-31 15:30 UTC. The 30-day window is 2026-03-02..2026-03-31. An intervention done on day D has
// its baseline in D-14..D-1 and its follow-up in D+1..D+14, so it is measured only if D+14 <= 2026-03-31, i.e.
// D <= 2026-03-17. Citations on D itself count in neither period.
const today = Date.UTC(2026, 2, 31, 15, 30)
const clock = testClock(today)
const day = (date: string) => Date.parse(`${date}T00:00:00Z`)
const at = (date: string, time = '10:00') => Date.parse(`${date}T${time}:00Z`)
const url = (path: string) => `https://brand.example/${path}`

let keyward: Keyward
let projectId: string
let thinProjectId: string
let emptyProjectId: string

let resultCounter = 0
/** `n` citations of `path` on `date`, as one tracking run (a fresh prompt id keeps runs unique per day). */
async function cite(project: string, date: string, path: string, n: number) {
  resultCounter += 1
  await keyward.storage.tracking.replaceResults([
    {
      id: `run-${resultCounter}`,
      projectId: project,
      day: day(date),
      platform: 'chatgpt',
      topicId: 'topic',
      promptId: `prompt-${resultCounter}`,
      brandMentioned: true,
      position: 1,
      competitors: [],
      citations: Array.from({ length: n }, () => ({
        url: url(path),
        domain: 'brand.example',
        title: path,
        classification: 'primary' as const,
      })),
      createdAt: today,
    },
  ])
}

/** Inserts a backlog action and marks it done at `doneAt` through the use-case, which records the baseline. */
async function doneAction(project: string, id: string, type: string, path: string | null, doneAt: number) {
  const action: Action = {
    id,
    projectId: project,
    title: id,
    type,
    status: 'backlog',
    priority: 'medium',
    targetUrl: path === null ? null : url(path),
    createdAt: day('2026-01-01'),
    updatedAt: day('2026-01-01'),
    completedAt: null,
  }
  await keyward.storage.actions.insert(action)
  clock.set(doneAt)
  await updateActionStatus(keyward, operator, { projectId: project, actionId: id, status: 'done' })
  clock.set(today)
}

beforeAll(async () => {
  keyward = await testKeyward({ clock })
  const team = await teamWithProject(keyward)
  projectId = team.project.id
  const create = (name: string) =>
    keyward.services.projects.create(team.owner, { accountId: team.account.id, name })
  thinProjectId = (await create('Thin')).id
  emptyProjectId = (await create('Empty')).id

  // --- Citations of the main project, per target page (baseline | follow-up | counted in neither) ---
  // s1, done 03-05: baseline 02-19..03-04, follow-up 03-06..03-19
  await cite(projectId, '2026-02-18', 's1', 1) // before the baseline: neither
  await cite(projectId, '2026-02-19', 's1', 1) // baseline (first day)
  await cite(projectId, '2026-03-04', 's1', 1) // baseline (last day)
  await cite(projectId, '2026-03-05', 's1', 1) // the day it was done: neither
  await cite(projectId, '2026-03-06', 's1', 3) // follow-up (first day)
  await cite(projectId, '2026-03-19', 's1', 2) // follow-up (last day)
  await cite(projectId, '2026-03-20', 's1', 1) // after the follow-up: neither
  // s2, done 03-10: baseline 02-24..03-09, follow-up 03-11..03-24
  await cite(projectId, '2026-03-09', 's2', 1) // baseline
  await cite(projectId, '2026-03-10', 's2', 1) // done day: neither
  await cite(projectId, '2026-03-11', 's2', 2) // follow-up
  await cite(projectId, '2026-03-24', 's2', 1) // follow-up
  await cite(projectId, '2026-03-25', 's2', 1) // neither
  // c1, done 03-02 (the window's first day): baseline 02-16..03-01, follow-up 03-03..03-16
  await cite(projectId, '2026-02-20', 'c1', 4) // baseline
  await cite(projectId, '2026-03-10', 'c1', 7) // follow-up
  // c2, done 03-12: baseline 02-26..03-11, follow-up 03-13..03-26
  await cite(projectId, '2026-03-01', 'c2', 3) // baseline
  await cite(projectId, '2026-03-20', 'c2', 3) // follow-up: equal to the baseline, so not correlated
  // c3, done 03-15: baseline 03-01..03-14, follow-up 03-16..03-29
  await cite(projectId, '2026-03-14', 'c3', 2) // baseline
  await cite(projectId, '2026-03-30', 'c3', 1) // after the follow-up: neither, so 0 after
  // x (outreach), done 03-08: never cited
  // r, done 03-20: too recent (03-20 + 14 = 04-03 > 03-31); cited after, which must not be measured
  await cite(projectId, '2026-03-25', 'r', 4)
  // o, done 03-01 (the day before the window): baseline 02-15..02-28 empty; follow-up 03-02..03-15
  await cite(projectId, '2026-03-10', 'o', 2)
  // The same page cited in another project must not count for this one.
  await cite(thinProjectId, '2026-03-10', 's1', 5)

  // --- Actions of the main project ---
  await doneAction(projectId, 'act-c1', 'content', 'c1', at('2026-03-02'))
  await doneAction(projectId, 'act-s1', 'schema', 's1', at('2026-03-05'))
  await doneAction(projectId, 'act-x', 'outreach', 'x', at('2026-03-08'))
  await doneAction(projectId, 'act-s2', 'schema', 's2', at('2026-03-10', '23:59'))
  await doneAction(projectId, 'act-c2', 'content', 'c2', at('2026-03-12'))
  await doneAction(projectId, 'act-c3', 'content', 'c3', at('2026-03-15'))
  await doneAction(projectId, 'act-r', 'content', 'r', at('2026-03-20'))
  await doneAction(projectId, 'act-o', 'schema', 'o', at('2026-03-01', '23:00'))
  await doneAction(projectId, 'act-no-url', 'content', null, at('2026-03-10')) // done, but no intervention
  await keyward.storage.actions.insert({
    id: 'act-open',
    projectId,
    title: 'open',
    type: 'content',
    status: 'suggested',
    priority: 'high',
    targetUrl: url('open'),
    createdAt: day('2026-03-01'),
    updatedAt: day('2026-03-01'),
    completedAt: null,
  })

  // --- Thin project: one measured intervention that did not work and one too recent ---
  await cite(thinProjectId, '2026-03-04', 'b1', 2) // baseline of b1 (done 03-05)
  await doneAction(thinProjectId, 'thin-b1', 'content', 'b1', at('2026-03-05'))
  await doneAction(thinProjectId, 'thin-b2', 'content', 'b2', at('2026-03-25'))
})
afterAll(() => keyward.close())

describe('what works', () => {
  it('records the baseline from the period before the action was marked done', async () => {
    expect(interventionPeriodDays).toBe(14)
    const baselines = await Promise.all(
      ['act-s1', 'act-s2', 'act-c1', 'act-c2', 'act-c3', 'act-x', 'act-r', 'act-o'].map(async (id) => [
        id,
        (await keyward.storage.actions.interventionOf(id))?.baselineCitations,
      ]),
    )
    expect(baselines).toEqual([
      ['act-s1', 2], // 02-19 + 03-04; not 02-18, not 03-05
      ['act-s2', 1], // 03-09; not the done day 03-10
      ['act-c1', 4], // 02-20
      ['act-c2', 3], // 03-01
      ['act-c3', 2], // 03-14
      ['act-x', 0],
      ['act-r', 0],
      ['act-o', 0],
    ])
    expect(await keyward.storage.actions.interventionOf('act-no-url')).toBeUndefined()
  })

  it('explains what is missing for a project without any intervention', async () => {
    const w = await getWhatWorks(keyward, operator, { projectId: emptyProjectId, windowDays: 30 })
    const counts = {
      completedActions: 0,
      interventions: 0,
      measuredInterventions: 0,
      correlatedInterventions: 0,
    }
    expect(w).toEqual({
      window: { days: 30, startDate: '2026-03-02', endDate: '2026-03-31' },
      learnings: [],
      counts,
      emptyState: {
        reason: 'Not enough completed actions with measured outcomes to draw learnings yet.',
        missingRequirements: [
          'at least 3 actions with a target URL marked done in the window (have 0)',
          'at least 2 of them done 14+ days ago, so citations after them can be measured (have 0)',
          'at least 1 intervention whose target page was cited more afterwards (have 0)',
        ],
        counts,
      },
    })
  })

  it('explains what is missing when data is thin, with the counts it has', async () => {
    const w = await getWhatWorks(keyward, operator, { projectId: thinProjectId, windowDays: 30 })
    const counts = {
      completedActions: 2, // thin-b1, thin-b2
      interventions: 2, // both done in the window
      measuredInterventions: 1, // thin-b1 (03-05 + 14 = 03-19); thin-b2 (03-25) is too recent
      correlatedInterventions: 0, // b1: 2 before, 0 after
    }
    expect(w.learnings).toEqual([])
    expect(w.counts).toEqual(counts)
    expect(w.emptyState).toEqual({
      reason: 'Not enough completed actions with measured outcomes to draw learnings yet.',
      missingRequirements: [
        'at least 3 actions with a target URL marked done in the window (have 2)',
        'at least 2 of them done 14+ days ago, so citations after them can be measured (have 1)',
        'at least 1 intervention whose target page was cited more afterwards (have 0)',
      ],
      counts,
    })
  })

  it('learns per action type from measured interventions, the best success rate first', async () => {
    const w = await getWhatWorks(keyward, operator, { projectId, windowDays: 30 })
    expect(w.window).toEqual({ days: 30, startDate: '2026-03-02', endDate: '2026-03-31' })
    expect(w.emptyState).toBeNull()
    expect(w.counts).toEqual({
      completedActions: 9, // c1, s1, x, s2, c2, c3, r, o and the one without a URL; not the suggested one
      interventions: 7, // c1 (03-02, first day), s1, x, s2, c2, c3, r; not o (03-01)
      measuredInterventions: 6, // all but r (03-20 + 14 = 04-03 > 03-31)
      correlatedInterventions: 3, // s1 (2 -> 5), s2 (1 -> 3), c1 (4 -> 7); c2 3 -> 3, c3 2 -> 0, x 0 -> 0
    })
    expect(w.learnings).toEqual([
      {
        actionType: 'schema',
        measuredInterventions: 2, // s1, s2 (o is outside the window)
        correlatedInterventions: 2,
        successRate: 1, // 2 / 2
        citationsBefore: 3, // 2 + 1
        citationsAfter: 8, // 5 (3 + 2) + 3 (2 + 1); the 5 of the other project do not count
        citationLiftPercent: 166.67, // (8 - 3) / 3 * 100 = 166.666...
        examples: [
          { actionId: 'act-s1', targetUrl: url('s1'), baselineCitations: 2, citationsAfter: 5 },
          { actionId: 'act-s2', targetUrl: url('s2'), baselineCitations: 1, citationsAfter: 3 },
        ],
      },
      {
        actionType: 'content',
        measuredInterventions: 3, // c1, c2, c3 (r is too recent)
        correlatedInterventions: 1, // c1
        successRate: 0.33, // 1 / 3 = 0.333...
        citationsBefore: 9, // 4 + 3 + 2
        citationsAfter: 10, // 7 + 3 + 0 (r's 4 are not measured)
        citationLiftPercent: 11.11, // (10 - 9) / 9 * 100 = 11.111...
        examples: [{ actionId: 'act-c1', targetUrl: url('c1'), baselineCitations: 4, citationsAfter: 7 }],
      },
      // outreach: x was measured (0 -> 0) but never correlated, so it teaches nothing and is left out
    ])
  })

  it('includes the intervention before the 30-day window in a 90-day one', async () => {
    // The 90-day window is 2026-01-01..2026-03-31, so o (03-01) is in it: the 30-day result excluded it by date.
    const w = await getWhatWorks(keyward, operator, { projectId, windowDays: 90 })
    expect(w.counts).toEqual({
      completedActions: 9,
      interventions: 8, // the 7 above + o
      measuredInterventions: 7, // + o (03-01 + 14 = 03-15)
      correlatedInterventions: 4, // + o (0 -> 2)
    })
    expect(
      w.learnings.map((l) => [l.actionType, l.successRate, l.citationsBefore, l.citationsAfter]),
    ).toEqual([
      ['schema', 1, 3, 10], // 3 / 3; before 2 + 1 + 0; after 5 + 3 + 2
      ['content', 0.33, 9, 10],
    ])
    expect(w.learnings[0]?.citationLiftPercent).toBe(233.33) // (10 - 3) / 3 * 100 = 233.333...
    expect(w.learnings[0]?.examples.map((e) => e.actionId)).toEqual(['act-o', 'act-s1', 'act-s2']) // by doneAt
  })
})

describe('prompt tests', () => {
  let otherTestId: string
  beforeAll(async () => {
    const tests: PromptTest[] = [
      {
        id: 'test-pricing',
        projectId,
        name: 'Pricing',
        prompt: 'best API key manager pricing',
        createdAt: at('2026-03-01', '09:00'),
        runs: [
          {
            id: 'run-p1',
            ranAt: at('2026-03-10', '12:00'),
            results: [
              { platform: 'perplexity', brandMentioned: true, position: 1, citations: 1 },
              { platform: 'chatgpt', brandMentioned: true, position: 2, citations: 3 },
              { platform: 'claude', brandMentioned: false, position: null, citations: 0 },
            ],
          },
          {
            id: 'run-p2',
            ranAt: at('2026-03-20', '12:00'),
            results: [
              { platform: 'claude', brandMentioned: true, position: 3, citations: 1 },
              { platform: 'chatgpt', brandMentioned: true, position: 1, citations: 2 },
            ],
          },
        ],
      },
      {
        id: 'test-alternatives',
        projectId,
        name: 'Alternatives',
        prompt: 'alternatives to vault',
        createdAt: at('2026-03-05', '09:00'),
        runs: [
          {
            id: 'run-a1',
            ranAt: at('2026-03-06', '08:00'),
            results: [{ platform: 'gemini', brandMentioned: false, position: null, citations: 0 }],
          },
        ],
      },
      {
        id: 'test-other-project',
        projectId: thinProjectId,
        name: 'Other',
        prompt: 'someone else',
        createdAt: at('2026-03-07', '09:00'),
        runs: [],
      },
    ]
    for (const t of tests) await keyward.storage.tests.insert(t)
    otherTestId = 'test-other-project'
  })

  it('lists the project tests, the newest first, with run counts and the last run', async () => {
    expect(await listPromptTests(keyward, operator, { projectId })).toEqual({
      tests: [
        {
          id: 'test-alternatives', // created 03-05, after Pricing
          name: 'Alternatives',
          prompt: 'alternatives to vault',
          createdAt: '2026-03-05T09:00:00.000Z',
          runCount: 1,
          lastRunAt: '2026-03-06T08:00:00.000Z',
        },
        {
          id: 'test-pricing',
          name: 'Pricing',
          prompt: 'best API key manager pricing',
          createdAt: '2026-03-01T09:00:00.000Z',
          runCount: 2,
          lastRunAt: '2026-03-20T12:00:00.000Z', // the later of 03-10 and 03-20
        },
      ],
    })
    expect(await listPromptTests(keyward, operator, { projectId: thinProjectId })).toEqual({
      tests: [
        {
          id: 'test-other-project',
          name: 'Other',
          prompt: 'someone else',
          createdAt: '2026-03-07T09:00:00.000Z',
          runCount: 0,
          lastRunAt: null,
        },
      ],
    })
  })

  it('details a test: summary over every platform result, runs newest first with their presence rate', async () => {
    expect(await getPromptTest(keyward, operator, { projectId, testId: 'test-pricing' })).toEqual({
      id: 'test-pricing',
      name: 'Pricing',
      prompt: 'best API key manager pricing',
      createdAt: '2026-03-01T09:00:00.000Z',
      summary: {
        runCount: 2,
        platformResults: 5, // 3 + 2
        presenceRate: 0.8, // mentioned in 2 + 2 of 5
      },
      runs: [
        {
          id: 'run-p2',
          ranAt: '2026-03-20T12:00:00.000Z',
          presenceRate: 1, // 2 / 2
          results: [
            { platform: 'chatgpt', brandMentioned: true, position: 1, citations: 2 },
            { platform: 'claude', brandMentioned: true, position: 3, citations: 1 },
          ],
        },
        {
          id: 'run-p1',
          ranAt: '2026-03-10T12:00:00.000Z',
          presenceRate: 0.6667, // 2 / 3
          results: [
            { platform: 'chatgpt', brandMentioned: true, position: 2, citations: 3 },
            { platform: 'claude', brandMentioned: false, position: null, citations: 0 },
            { platform: 'perplexity', brandMentioned: true, position: 1, citations: 1 },
          ],
        },
      ],
    })
    const alternatives = await getPromptTest(keyward, operator, { projectId, testId: 'test-alternatives' })
    expect(alternatives.summary).toEqual({ runCount: 1, platformResults: 1, presenceRate: 0 }) // 0 / 1
    expect(alternatives.runs.map((r) => [r.id, r.presenceRate])).toEqual([['run-a1', 0]])
    const empty = await getPromptTest(keyward, operator, { projectId: thinProjectId, testId: otherTestId })
    expect(empty.summary).toEqual({ runCount: 0, platformResults: 0, presenceRate: 0 }) // 0 / 0 answers 0
    expect(empty.runs).toEqual([])
  })

  it('answers not_found for an unknown test and for a test of another project', async () => {
    const notFound = { name: 'KeywardError', code: 'not_found', message: 'Test not found' }
    const unknown = getPromptTest(keyward, operator, { projectId, testId: 'no-such-test' })
    await expect(unknown).rejects.toBeInstanceOf(KeywardError)
    await expect(unknown).rejects.toMatchObject(notFound)
    const foreign = getPromptTest(keyward, operator, { projectId, testId: otherTestId })
    await expect(foreign).rejects.toBeInstanceOf(KeywardError)
    await expect(foreign).rejects.toMatchObject(notFound)
  })
})
