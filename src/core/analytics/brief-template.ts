import type { AnalyticsDeps } from './inputs.ts'
import type { Action } from './model.ts'
import { visibilityMetrics } from './visibility.ts'
import { windowEndingToday } from './window.ts'

const percent = (n: number) => `${Math.round(n * 1000) / 10}%`

const nextSteps: Record<string, string[]> = {
  content_update: [
    'Answer each missing prompt directly in the first paragraph of a section.',
    'Add a comparison table against the competitors cited below.',
  ],
  new_content: ['Publish a dedicated page per missing prompt and link it from the target page.'],
  technical_seo: ['Check that the page is crawlable, fast, and has structured data describing the product.'],
  outreach: ['Pitch the most cited third-party domains below with an update or a guest contribution.'],
}
const defaultSteps = ['Update the target page so it answers the missing prompts explicitly.']

/**
 * The brief is a fixed template filled from the project's last 30 days: no model is called, so the same data
 * always gives the same brief.
 */
export async function renderBrief(deps: AnalyticsDeps, action: Action): Promise<string> {
  const { storage } = deps
  const project = await storage.projects.findById(action.projectId)
  const window = windowEndingToday(deps.clock(), 30)
  const filter = { projectId: action.projectId, from: window.from, to: window.to }
  const metrics = await visibilityMetrics(deps, filter)
  const missing = (await storage.tracking.promptPresence(filter))
    .filter((p) => p.mentions < p.runs)
    .slice(0, 5)
  const page = { offset: 0, limit: 5 }
  const competitors = await storage.tracking.topDomains({ ...filter, classification: 'competitor' }, page)
  const domains = await storage.tracking.topDomains(filter, page)
  const targetCitations = action.targetUrl
    ? await storage.tracking.citationsOfUrl(action.projectId, action.targetUrl, window.from, window.to)
    : 0
  const list = (lines: string[], empty: string) => (lines.length ? lines.join('\n') : `_${empty}_`)
  return [
    `# Brief: ${action.title}`,
    '',
    `- **Project:** ${project?.name ?? action.projectId}`,
    `- **Action type:** ${action.type} · **Priority:** ${action.priority} · **Status:** ${action.status}`,
    `- **Target page:** ${action.targetUrl ?? 'none set'}${action.targetUrl ? ` (cited ${targetCitations} times in the last 30 days)` : ''}`,
    '',
    '## Where the brand stands (last 30 days)',
    '',
    `Presence rate ${percent(metrics.presenceRate)} over ${metrics.totalRuns} runs, share of voice ` +
      `${percent(metrics.shareOfVoice)}, ${metrics.citations.primary} citations of your own pages out of ` +
      `${metrics.citations.total}.`,
    '',
    '## Prompts where the brand is missing',
    '',
    list(
      missing.map((p) => `- "${p.text}": mentioned in ${p.mentions} of ${p.runs} runs`),
      'The brand is mentioned in every run of every prompt.',
    ),
    '',
    '## Competitors cited instead',
    '',
    list(
      competitors.rows.map((d) => `- ${d.domain}: ${d.count} citations across ${d.pages} pages`),
      'No competitor pages were cited.',
    ),
    '',
    '## Top cited domains',
    '',
    list(
      domains.rows.map((d) => `- ${d.domain} (${d.classification}): ${d.count} citations`),
      'No citations in the window.',
    ),
    '',
    '## Next steps',
    '',
    ...(nextSteps[action.type] ?? defaultSteps).map((s) => `- [ ] ${s}`),
    '',
  ].join('\n')
}
