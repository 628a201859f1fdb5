import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { requireProjectAccess } from '../access.ts'
import { notFound } from '../errors.ts'
import type { Actor } from '../model.ts'
import { enqueueWebhookEvent } from '../webhook-delivery.ts'
import { type AnalyticsDeps, actionStatusParam } from './inputs.ts'
import type { Action, Intervention } from './model.ts'
import { visibilityMetrics } from './visibility.ts'
import { dayMs, dayOf, windowEndingToday } from './window.ts'

/** Baseline and follow-up of an intervention: this many whole days before and after the day it was done. */
export const interventionPeriodDays = 14

export const actionListQuery = z.object({
  status: actionStatusParam.optional().describe('Only actions in this status'),
})
export const updateActionInput = z.object({ status: actionStatusParam.describe('The new status') }).strict()
const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString())
export const presentAction = (a: Action) => ({
  id: a.id,
  title: a.title,
  type: a.type,
  status: a.status,
  priority: a.priority,
  targetUrl: a.targetUrl,
  createdAt: new Date(a.createdAt).toISOString(),
  updatedAt: new Date(a.updatedAt).toISOString(),
  completedAt: iso(a.completedAt),
})

export async function findProjectAction(deps: AnalyticsDeps, projectId: string, actionId: string) {
  const action = await deps.storage.actions.findById(actionId)
  if (!action || action.projectId !== projectId) throw notFound('Action')
  return action
}

/** Citations of the target page in the period before `at`, and the 30-day share of voice then. */
export async function baselineAt(deps: AnalyticsDeps, projectId: string, targetUrl: string, at: number) {
  const day = dayOf(at)
  const citations = await deps.storage.tracking.citationsOfUrl(
    projectId,
    targetUrl,
    day - interventionPeriodDays * dayMs,
    day - dayMs,
  )
  const window = windowEndingToday(at, 30)
  const metrics = await visibilityMetrics(deps, { projectId, from: window.from, to: window.to })
  return { baselineCitations: citations, baselineShareOfVoice: metrics.shareOfVoice }
}

export async function listActions(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string } & z.output<typeof actionListQuery>,
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'actions.read', write: false })
  const actions = await deps.storage.actions.list(input.projectId, input.status)
  return { actions: actions.map(presentAction) }
}

export async function getAction(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string; actionId: string },
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'actions.read', write: false })
  const action = await findProjectAction(deps, input.projectId, input.actionId)
  const intervention = await deps.storage.actions.interventionOf(action.id)
  const brief = await deps.storage.briefs.find(action.id)
  return {
    ...presentAction(action),
    briefStatus: brief?.status ?? ('none' as const),
    intervention: intervention
      ? {
          targetUrl: intervention.targetUrl,
          doneAt: new Date(intervention.doneAt).toISOString(),
          baselineCitations: intervention.baselineCitations,
          baselineShareOfVoice: intervention.baselineShareOfVoice,
        }
      : null,
  }
}

/** Marking an action done records its intervention (once) with the target page's baseline citations. */
export async function updateActionStatus(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string; actionId: string } & z.output<typeof updateActionInput>,
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'actions.write', write: true })
  const action = await findProjectAction(deps, input.projectId, input.actionId)
  if (action.status === input.status) return presentAction(action)
  const now = deps.clock()
  const completedAt = input.status === 'done' ? now : null
  const existing = await deps.storage.actions.interventionOf(action.id)
  const intervention: Intervention | undefined =
    input.status === 'done' && action.targetUrl && !existing
      ? {
          id: randomUUID(),
          actionId: action.id,
          projectId: action.projectId,
          targetUrl: action.targetUrl,
          doneAt: now,
          ...(await baselineAt(deps, action.projectId, action.targetUrl, now)),
        }
      : undefined
  await deps.storage.transaction(async (stores) => {
    await stores.actions.updateStatus(action.id, input.status, now, completedAt)
    if (intervention) await stores.actions.insertIntervention(intervention)
  })
  const updated = { ...action, status: input.status, updatedAt: now, completedAt }
  await enqueueWebhookEvent(deps.storage, deps.clock, {
    projectId: action.projectId,
    event: 'action.updated',
    data: { action: presentAction(updated), previousStatus: action.status },
  })
  return presentAction(updated)
}
