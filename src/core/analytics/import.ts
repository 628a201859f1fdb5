import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { requireProjectAccess } from '../access.ts'
import { badRequest } from '../errors.ts'
import type { Actor } from '../model.ts'
import { enqueueWebhookEvent } from '../webhook-delivery.ts'
import type { AnalyticsDeps } from './inputs.ts'
import { classifications, type Prompt, platforms, type Topic, type TrackingResult } from './model.ts'
import { visibilityMetrics } from './visibility.ts'
import { isoDay, windowEndingToday } from './window.ts'

/** The `keyward import` file: tracking runs; topics and prompts are matched by name and text, created if new. */
export const trackingImportFile = z
  .object({
    results: z
      .array(
        z
          .object({
            date: z.iso.date(),
            platform: z.enum(platforms),
            topic: z.string().trim().min(1).max(200),
            prompt: z.string().trim().min(1).max(1000),
            brandMentioned: z.boolean(),
            position: z.number().int().min(1).nullable().default(null),
            competitors: z.array(z.string().min(1).max(200)).default([]),
            citations: z
              .array(
                z
                  .object({
                    url: z.url({ protocol: /^https?$/ }),
                    title: z.string().max(500).default(''),
                    classification: z.enum(classifications),
                  })
                  .strict(),
              )
              .default([]),
          })
          .strict(),
      )
      .min(1)
      .max(100_000),
  })
  .strict()

/** `results[3].citations[0].url: Invalid URL`: the first problem, located. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'invalid file'
  const path = issue.path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('')
  return `${path || '(root)'}: ${issue.message}`
}

const domainOf = (url: string) => new URL(url).hostname.replace(/^www\./, '')

export async function importTrackingResults(
  deps: AnalyticsDeps,
  actor: Actor,
  input: { projectId: string; file: unknown },
) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'visibility.read', write: true })
  const parsed = trackingImportFile.safeParse(input.file)
  if (!parsed.success) throw badRequest(firstIssue(parsed.error))
  const { projectId } = input
  const now = deps.clock()
  const window = windowEndingToday(now, 30)
  const scope = { projectId, from: window.from, to: window.to }
  const previous = await visibilityMetrics(deps, scope)
  // DevTune's `previousMetrics` is null when there is nothing to compare with: the project's first run.
  const firstRun = (await deps.storage.tracking.countResults(projectId)) === 0

  const topics = new Map((await deps.storage.tracking.listTopics(projectId)).map((t) => [t.name, t]))
  const prompts = new Map(
    (await deps.storage.tracking.listPrompts(projectId)).map((p) => [`${p.topicId}|${p.text}`, p]),
  )
  const newTopics: Topic[] = []
  const newPrompts: Prompt[] = []
  const results: TrackingResult[] = parsed.data.results.map((r) => {
    let topic = topics.get(r.topic)
    if (!topic) {
      topic = { id: randomUUID(), projectId, name: r.topic, createdAt: now }
      topics.set(r.topic, topic)
      newTopics.push(topic)
    }
    let prompt = prompts.get(`${topic.id}|${r.prompt}`)
    if (!prompt) {
      prompt = { id: randomUUID(), projectId, topicId: topic.id, text: r.prompt, createdAt: now }
      prompts.set(`${topic.id}|${r.prompt}`, prompt)
      newPrompts.push(prompt)
    }
    return {
      id: randomUUID(),
      projectId,
      day: Date.parse(`${r.date}T00:00:00Z`),
      platform: r.platform,
      topicId: topic.id,
      promptId: prompt.id,
      brandMentioned: r.brandMentioned,
      position: r.brandMentioned ? r.position : null,
      competitors: r.competitors,
      citations: r.citations.map((c) => ({ ...c, domain: domainOf(c.url) })),
      createdAt: now,
    }
  })
  // Within one file, the last run of a day × platform × prompt wins, as a later import would.
  const unique = [...new Map(results.map((r) => [`${r.day}|${r.platform}|${r.promptId}`, r])).values()]
  await deps.storage.transaction(async (stores) => {
    await stores.tracking.insertTopics(newTopics)
    await stores.tracking.insertPrompts(newPrompts)
    await stores.tracking.replaceResults(unique)
  })
  const current = await visibilityMetrics(deps, scope)
  const days = unique.map((r) => r.day)
  const summary = {
    importedResults: unique.length,
    startDate: isoDay(Math.min(...days)),
    endDate: isoDay(Math.max(...days)),
    platforms: [...new Set(unique.map((r) => r.platform))].sort(),
    topicsCreated: newTopics.length,
    promptsCreated: newPrompts.length,
  }
  await enqueueWebhookEvent(deps.storage, deps.clock, {
    projectId,
    event: 'search-tracking.completed',
    data: summary,
  })
  await enqueueWebhookEvent(deps.storage, deps.clock, {
    projectId,
    event: 'visibility.changed',
    // DevTune's documented field, plus what Keyward adds to it: the window and the metrics after the run.
    data: { windowDays: 30, previousMetrics: firstRun ? null : previous, current },
  })
  return { ...summary, visibility: { windowDays: 30, previous, current } }
}
