import type { z } from 'zod'
import { requireProjectAccess } from '../access.ts'
import type { Actor } from '../model.ts'
import { interventionPeriodDays } from './actions.ts'
import type { AnalyticsDeps, windowQuery } from './inputs.ts'
import { dayMs, dayOf, describeWindow, round2, windowEndingToday } from './window.ts'

/** Below these counts a learning would be an anecdote, so an `emptyState` explains what is missing instead. */
export const whatWorksRequirements = { interventions: 3, measured: 2, correlated: 1 }

/**
 * Learnings from done actions completed in the window: an intervention is measured once the `interventionPeriodDays`
 * after the day it was done have passed, and correlated when its target page was cited more in those days than in
 * the same number of days before (the baseline recorded when it was marked done).
 */
export async function getWhatWorks(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string } & z.output<typeof windowQuery>,
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, {
    scope: 'intelligence.read',
    write: false,
  })
  const window = windowEndingToday(deps.clock(), input.windowDays)
  const all = await deps.storage.actions.listInterventions(input.projectId)
  const inWindow = all.filter((i) => dayOf(i.doneAt) >= window.from && dayOf(i.doneAt) <= window.to)
  const measured: Array<(typeof inWindow)[number] & { citationsAfter: number; correlated: boolean }> = []
  for (const i of inWindow) {
    const done = dayOf(i.doneAt)
    const last = done + interventionPeriodDays * dayMs
    if (last > window.to) continue
    const after = await deps.storage.tracking.citationsOfUrl(i.projectId, i.targetUrl, done + dayMs, last)
    measured.push({ ...i, citationsAfter: after, correlated: after > i.baselineCitations })
  }
  const correlated = measured.filter((m) => m.correlated)
  const counts = {
    completedActions: await deps.storage.actions.countByStatus(input.projectId, 'done'),
    interventions: inWindow.length,
    measuredInterventions: measured.length,
    correlatedInterventions: correlated.length,
  }
  const missing = [
    counts.interventions < whatWorksRequirements.interventions &&
      `at least ${whatWorksRequirements.interventions} actions with a target URL marked done in the window (have ${counts.interventions})`,
    counts.measuredInterventions < whatWorksRequirements.measured &&
      `at least ${whatWorksRequirements.measured} of them done ${interventionPeriodDays}+ days ago, so citations after them can be measured (have ${counts.measuredInterventions})`,
    counts.correlatedInterventions < whatWorksRequirements.correlated &&
      `at least ${whatWorksRequirements.correlated} intervention whose target page was cited more afterwards (have ${counts.correlatedInterventions})`,
  ].filter((m): m is string => typeof m === 'string')
  const types = [...new Set(measured.map((m) => m.actionType))].sort()
  const learnings = missing.length
    ? []
    : types
        .map((type) => {
          const own = measured.filter((m) => m.actionType === type)
          const wins = own.filter((m) => m.correlated)
          const before = own.reduce((s, m) => s + m.baselineCitations, 0)
          const after = own.reduce((s, m) => s + m.citationsAfter, 0)
          return {
            actionType: type,
            measuredInterventions: own.length,
            correlatedInterventions: wins.length,
            successRate: round2(wins.length / own.length),
            citationsBefore: before,
            citationsAfter: after,
            citationLiftPercent: before === 0 ? null : round2(((after - before) / before) * 100),
            examples: wins.slice(0, 3).map((m) => ({
              actionId: m.actionId,
              targetUrl: m.targetUrl,
              baselineCitations: m.baselineCitations,
              citationsAfter: m.citationsAfter,
            })),
          }
        })
        .filter((l) => l.correlatedInterventions > 0)
        .sort((a, b) => b.successRate - a.successRate || a.actionType.localeCompare(b.actionType))
  return {
    window: describeWindow(window),
    learnings,
    counts,
    emptyState: missing.length
      ? {
          reason: 'Not enough completed actions with measured outcomes to draw learnings yet.',
          missingRequirements: missing,
          counts,
        }
      : null,
  }
}
