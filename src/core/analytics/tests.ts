import { requireProjectAccess } from '../access.ts'
import { notFound } from '../errors.ts'
import type { Actor } from '../model.ts'
import type { AnalyticsDeps } from './inputs.ts'
import { ratio } from './window.ts'

const iso = (at: number) => new Date(at).toISOString()

export async function listPromptTests(deps: AnalyticsDeps, actor: Actor, input: { projectId: string }) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'tests.read', write: false })
  const tests = await deps.storage.tests.list(input.projectId)
  return {
    tests: tests.map((t) => ({
      ...t,
      createdAt: iso(t.createdAt),
      lastRunAt: t.lastRunAt === null ? null : iso(t.lastRunAt),
    })),
  }
}

export async function getPromptTest(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string; testId: string },
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'tests.read', write: false })
  const test = await deps.storage.tests.findById(input.testId)
  if (!test || test.projectId !== input.projectId) throw notFound('Test')
  const results = test.runs.flatMap((r) => r.results)
  const mentioned = results.filter((r) => r.brandMentioned).length
  return {
    id: test.id,
    name: test.name,
    prompt: test.prompt,
    createdAt: iso(test.createdAt),
    summary: {
      runCount: test.runs.length,
      platformResults: results.length,
      presenceRate: ratio(mentioned, results.length),
    },
    runs: test.runs.map((run) => ({
      id: run.id,
      ranAt: iso(run.ranAt),
      presenceRate: ratio(run.results.filter((r) => r.brandMentioned).length, run.results.length),
      results: run.results,
    })),
  }
}
