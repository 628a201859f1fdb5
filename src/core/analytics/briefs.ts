import { z } from 'zod'
import { requireProjectAccess } from '../access.ts'
import type { Actor } from '../model.ts'
import { findProjectAction } from './actions.ts'
import { renderBrief } from './brief-template.ts'
import type { AnalyticsDeps } from './inputs.ts'
import type { Brief } from './model.ts'

/** How long a generating job owns its brief; after that, any node may take the job over (e.g. after a crash). */
export const briefLeaseMs = 60_000

/** The docs call the body optional: no body means this empty object (see `register.ts`). */
export const generateBriefInput = z
  .object({
    allowPurchasedCredit: z
      .boolean()
      .optional()
      .describe('Accepted for compatibility; Keyward uses no credits'),
    briefStyle: z
      .enum([
        'best_fit',
        'technical_guide',
        'implementation_tutorial',
        'docs_page',
        'api_reference',
        'blog_post',
        'comparison_page',
      ])
      .optional()
      .describe('Accepted for compatibility; the brief always uses the standard template'),
  })
  .strict()

/** Generates one brief if this caller wins the claim; a job lost to another caller does nothing. */
export async function runBriefJob(deps: AnalyticsDeps, actionId: string): Promise<boolean> {
  const now = deps.clock()
  const lease = now + briefLeaseMs
  if (!(await deps.storage.briefs.claim(actionId, now, lease))) return false
  const action = await deps.storage.actions.findById(actionId)
  if (!action) return false
  const markdown = await renderBrief(deps, action)
  return deps.storage.briefs.complete(actionId, lease, markdown, deps.clock())
}

/**
 * Picks up every brief left behind by a stopped process (queued, or generating with an expired lease); `keyward
 * serve` runs it at start and then every 30 s, so a restart never strands a brief until someone asks for it.
 */
export async function resumeStalledBriefs(deps: AnalyticsDeps): Promise<number> {
  let resumed = 0
  for (const actionId of await deps.storage.briefs.listNeedingWork(deps.clock(), 50)) {
    if (await runBriefJob(deps, actionId)) resumed += 1
  }
  return resumed
}

/**
 * Runs the job after the current request answers. A failure (the database closing under it at shutdown) leaves the
 * brief queued or generating; the next request for it resumes the job once the lease has run out.
 */
function startJob(deps: AnalyticsDeps, actionId: string) {
  setImmediate(() => {
    runBriefJob(deps, actionId).catch(() => undefined)
  })
}

/** A queued brief, or a generating one whose worker stopped renewing its lease, needs a worker. */
function resumeIfStalled(deps: AnalyticsDeps, brief: Brief) {
  const stalled =
    brief.status === 'queued' || (brief.status === 'generating' && (brief.leaseUntil ?? 0) < deps.clock())
  if (stalled) startJob(deps, brief.actionId)
}

export async function getActionBrief(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string; actionId: string },
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'actions.read', write: false })
  const action = await findProjectAction(deps, input.projectId, input.actionId)
  const brief = await deps.storage.briefs.find(action.id)
  if (brief) resumeIfStalled(deps, brief)
  const ready = brief?.status === 'ready'
  return {
    actionId: action.id,
    actionTitle: action.title,
    hasBrief: ready,
    status: brief?.status ?? ('none' as const),
    markdown: ready ? (brief?.markdown ?? null) : null,
    generatedAt: ready && brief ? new Date(brief.updatedAt).toISOString() : null,
  }
}

/** `ready` if the brief exists, `queued` when this call queued it (and started the job), else `generating`. */
export async function generateActionBrief(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string; actionId: string },
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'actions.write', write: true })
  const action = await findProjectAction(deps, input.projectId, input.actionId)
  const answer = (status: 'ready' | 'queued' | 'generating') => ({
    actionId: action.id,
    actionTitle: action.title,
    hasBrief: status === 'ready',
    status,
  })
  const existing = await deps.storage.briefs.find(action.id)
  if (existing?.status === 'ready') return answer('ready')
  if (
    !existing &&
    (await deps.storage.briefs.enqueue({ actionId: action.id, projectId: input.projectId, at: deps.clock() }))
  ) {
    startJob(deps, action.id)
    return answer('queued')
  }
  const current = existing ?? (await deps.storage.briefs.find(action.id))
  if (current?.status === 'ready') return answer('ready')
  if (current) resumeIfStalled(deps, current)
  return answer('generating')
}
