import type { Instant } from '../model.ts'

export const platforms = ['chatgpt', 'claude', 'perplexity', 'gemini', 'google-ai-overviews'] as const
export const classifications = ['primary', 'competitor', 'other'] as const
export type Classification = (typeof classifications)[number]
export const actionStatuses = ['suggested', 'backlog', 'in_progress', 'done', 'dismissed'] as const
export type ActionStatus = (typeof actionStatuses)[number]
export const actionPriorities = ['high', 'medium', 'low'] as const
export type ActionPriority = (typeof actionPriorities)[number]
export const briefStatuses = ['none', 'queued', 'generating', 'ready'] as const
export type BriefStatus = (typeof briefStatuses)[number]

/** An instant truncated to its UTC midnight: how every analytics row names its day. */
export type Day = number

export interface Topic {
  id: string
  projectId: string
  name: string
  createdAt: Instant
}

export interface Prompt {
  id: string
  projectId: string
  topicId: string
  text: string
  createdAt: Instant
}

export interface Citation {
  url: string
  domain: string
  title: string
  classification: Classification
}

/** One run of one prompt on one platform on one day. */
export interface TrackingResult {
  id: string
  projectId: string
  day: Day
  platform: string
  topicId: string
  promptId: string
  brandMentioned: boolean
  /** 1-based rank of the brand in the answer; null when not mentioned or not ranked. */
  position: number | null
  competitors: string[]
  citations: Citation[]
  createdAt: Instant
}

export interface AdoptionPoint {
  projectId: string
  day: Day
  /** `npm`: downloads that day; `github`: the star count at the end of that day. */
  source: 'npm' | 'github'
  name: string
  value: number
}

export interface TrafficPoint {
  projectId: string
  day: Day
  source: string
  landingPage: string
  visits: number
}

export interface PromptTestResult {
  platform: string
  brandMentioned: boolean
  position: number | null
  citations: number
}

export interface PromptTestRun {
  id: string
  ranAt: Instant
  results: PromptTestResult[]
}

export interface PromptTest {
  id: string
  projectId: string
  name: string
  prompt: string
  createdAt: Instant
  runs: PromptTestRun[]
}

export interface Action {
  id: string
  projectId: string
  title: string
  type: string
  status: ActionStatus
  priority: ActionPriority
  targetUrl: string | null
  createdAt: Instant
  updatedAt: Instant
  completedAt: Instant | null
}

/** Recorded when an action is marked done: what its target page was cited before the change. */
export interface Intervention {
  id: string
  actionId: string
  projectId: string
  targetUrl: string
  doneAt: Instant
  /** Citations of the target URL in the `interventionPeriodDays` before `doneAt`. */
  baselineCitations: number
  baselineShareOfVoice: number
}

export interface Brief {
  actionId: string
  projectId: string
  status: Exclude<BriefStatus, 'none'>
  markdown: string | null
  attempts: number
  leaseUntil: Instant | null
  updatedAt: Instant
}
