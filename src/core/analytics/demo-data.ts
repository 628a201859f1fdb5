import { createHash, randomUUID } from 'node:crypto'
import type { Clock } from '../clock.ts'
import type { Storage } from '../ports.ts'
import { baselineAt } from './actions.ts'
import type { Action, Citation, Prompt, Topic, TrackingResult } from './model.ts'
import { platforms } from './model.ts'
import { dayMs, dayOf } from './window.ts'

/** A deterministic generator (mulberry32) seeded from a string, so each project gets its own stable data. */
function seeded(seed: string) {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0)
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface DemoProfile {
  domain: string
  topics: Record<string, string[]>
  competitors: Array<{ name: string; domain: string }>
  packages: string[]
  repos: string[]
  pages: string[]
}

const others = ['stackoverflow.com', 'reddit.com', 'dev.to', 'medium.com', 'wikipedia.org', 'github.com']
const trafficSources = ['chatgpt', 'perplexity', 'claude', 'gemini', 'copilot']
const actionTypes = ['content_update', 'new_content', 'technical_seo', 'outreach']

/** 90 days of tracking runs, citations, adoption, traffic, tests and actions; skipped if the project has runs. */
export async function seedProjectAnalytics(
  deps: { storage: Storage; clock: Clock },
  projectId: string,
  profile: DemoProfile,
) {
  const { storage } = deps
  if ((await storage.tracking.countResults(projectId)) > 0) return false
  const random = seeded(projectId)
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T
  const now = deps.clock()
  const today = dayOf(now)
  const days = Array.from({ length: 90 }, (_, i) => today - (89 - i) * dayMs)
  const topics: Topic[] = []
  const prompts: Prompt[] = []
  for (const [name, texts] of Object.entries(profile.topics)) {
    const topic = { id: randomUUID(), projectId, name, createdAt: days[0] ?? now }
    topics.push(topic)
    for (const text of texts)
      prompts.push({ id: randomUUID(), projectId, topicId: topic.id, text, createdAt: topic.createdAt })
  }
  const strength = new Map(prompts.map((p) => [p.id, 0.2 + random() * 0.6]))
  const platformBias = new Map(platforms.map((p) => [p, random() * 0.3 - 0.15]))
  const url = (domain: string, path: string) => `https://${domain}/${path}`
  const results: TrackingResult[] = []
  days.forEach((day, index) => {
    const trend = (index / 90) * 0.15 // visibility improves over the quarter
    for (const platform of platforms)
      for (const prompt of prompts) {
        const p = (strength.get(prompt.id) ?? 0.5) + (platformBias.get(platform) ?? 0) + trend
        const mentioned = random() < p
        const competitors = profile.competitors.filter(() => random() < 0.35).map((c) => c.name)
        const citations: Citation[] = []
        for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
          const roll = random()
          if (roll < (mentioned ? 0.45 : 0.15)) {
            citations.push({
              url: url(profile.domain, pick(profile.pages)),
              domain: profile.domain,
              title: `${profile.domain} docs`,
              classification: 'primary',
            })
          } else if (roll < 0.7) {
            const c = pick(profile.competitors)
            const path = pick(['pricing', 'docs', 'blog/comparison', 'features'])
            citations.push({
              url: url(c.domain, path),
              domain: c.domain,
              title: `${c.name}: ${path}`,
              classification: 'competitor',
            })
          } else {
            const domain = pick(others)
            const path = `questions/${1 + Math.floor(random() * 12)}`
            citations.push({
              url: url(domain, path),
              domain,
              title: `Discussion on ${domain}`,
              classification: 'other',
            })
          }
        }
        const unique = citations.filter((c, i) => citations.findIndex((x) => x.url === c.url) === i)
        results.push({
          id: randomUUID(),
          projectId,
          day,
          platform,
          topicId: prompt.topicId,
          promptId: prompt.id,
          brandMentioned: mentioned,
          position: mentioned ? 1 + Math.floor(random() * 5) : null,
          competitors,
          citations: unique,
          createdAt: day + 6 * 3_600_000,
        })
      }
  })
  await storage.transaction(async (stores) => {
    await stores.tracking.insertTopics(topics)
    await stores.tracking.insertPrompts(prompts)
    await stores.tracking.replaceResults(results)
    const stars = new Map(profile.repos.map((r) => [r, 200 + Math.floor(random() * 3000)]))
    await stores.series.insertAdoption(
      days.flatMap((day, i) => [
        ...profile.packages.map((name) => ({
          projectId,
          day,
          source: 'npm' as const,
          name,
          value: Math.round(
            (800 + i * 12) * (new Date(day).getUTCDay() % 6 === 0 ? 0.5 : 1) * (0.8 + random() * 0.4),
          ),
        })),
        ...profile.repos.map((name) => {
          const value = (stars.get(name) ?? 0) + Math.floor(random() * 9)
          stars.set(name, value)
          return { projectId, day, source: 'github' as const, name, value }
        }),
      ]),
    )
    await stores.series.insertTraffic(
      days.flatMap((day, i) =>
        trafficSources.flatMap((source, s) =>
          profile.pages.slice(0, 5).map((page) => ({
            projectId,
            day,
            source,
            landingPage: `/${page}`,
            visits: Math.floor((random() * (20 + i / 3)) / (s + 1)),
          })),
        ),
      ),
    )
    for (const [n, prompt] of prompts.slice(0, 4).entries()) {
      await stores.tests.insert({
        id: randomUUID(),
        projectId,
        name: `Test ${n + 1}: ${prompt.text}`,
        prompt: prompt.text,
        createdAt: today - (60 - n) * dayMs,
        runs: [0, 1, 2, 3].map((r) => ({
          id: randomUUID(),
          ranAt: today - (40 - r * 12 + n) * dayMs + 9 * 3_600_000,
          results: platforms.map((platform) => {
            const mentioned = random() < (strength.get(prompt.id) ?? 0.5) + r * 0.05
            return {
              platform,
              brandMentioned: mentioned,
              position: mentioned ? 1 + Math.floor(random() * 4) : null,
              citations: Math.floor(random() * 6),
            }
          }),
        })),
      })
    }
  })
  const doneDaysAgo = [75, 60, 50, 40, 28, 20, 8]
  for (const [i, page] of profile.pages.entries()) {
    const createdAt = today - (85 - i * 3) * dayMs
    const done = doneDaysAgo[i]
    const action: Action = {
      id: randomUUID(),
      projectId,
      title: `Improve ${page} for "${pick(prompts).text}"`,
      type: actionTypes[i % actionTypes.length] ?? 'content_update',
      status:
        done !== undefined
          ? 'done'
          : ((['suggested', 'backlog', 'in_progress', 'dismissed'] as const)[i % 4] ?? 'suggested'),
      priority: (['high', 'medium', 'low'] as const)[i % 3] ?? 'medium',
      targetUrl: url(profile.domain, page),
      createdAt,
      updatedAt: done !== undefined ? today - done * dayMs + 3_600_000 : createdAt,
      completedAt: done !== undefined ? today - done * dayMs + 3_600_000 : null,
    }
    await storage.actions.insert(action)
    if (action.completedAt !== null && action.targetUrl) {
      await storage.actions.insertIntervention({
        id: randomUUID(),
        actionId: action.id,
        projectId,
        targetUrl: action.targetUrl,
        doneAt: action.completedAt,
        ...(await baselineAt(deps, projectId, action.targetUrl, action.completedAt)),
      })
    }
  }
  return true
}
