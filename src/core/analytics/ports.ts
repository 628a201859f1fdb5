import type { Instant } from '../model.ts'
import type {
  Action,
  ActionStatus,
  AdoptionPoint,
  Brief,
  Classification,
  Day,
  Intervention,
  Prompt,
  PromptTest,
  Topic,
  TrackingResult,
  TrafficPoint,
} from './model.ts'

/** Which tracking rows a figure is computed from: a project, an inclusive day range and optional filters. */
export interface TrackingFilter {
  projectId: string
  from: Day
  to: Day
  platform?: string
  topicId?: string
}

export interface VisibilityTotals {
  runs: number
  /** Runs whose answer mentioned the brand. */
  brandMentions: number
  competitorMentions: number
  positionedRuns: number
  positionSum: number
  citations: Record<Classification, number>
}

export interface CitationTotals {
  citations: Record<Classification, number>
  uniquePages: number
  uniqueDomains: number
}

export interface RankedRows<T> {
  rows: T[]
  totalCount: number
}

export interface PageRow {
  url: string
  domain: string
  title: string
  classification: Classification
  count: number
  avgRank: number
  top3Count: number
}

export interface DomainRow {
  domain: string
  classification: Classification
  count: number
  pages: number
}

export interface TrackingStore {
  insertTopics(topics: readonly Topic[]): Promise<void>
  insertPrompts(prompts: readonly Prompt[]): Promise<void>
  listTopics(projectId: string): Promise<Topic[]>
  listPrompts(projectId: string): Promise<Prompt[]>
  /** Inserts runs with their citations; a run already stored for the same day × platform × prompt is replaced. */
  replaceResults(results: readonly TrackingResult[]): Promise<void>
  countResults(projectId: string): Promise<number>
  totals(filter: TrackingFilter): Promise<VisibilityTotals>
  /** Runs and brand mentions per (topic or prompt) × platform. */
  presenceGrid(
    filter: TrackingFilter,
    groupBy: 'topic' | 'prompt',
  ): Promise<Array<{ key: string; platform: string; runs: number; mentions: number }>>
  citationTotals(filter: TrackingFilter): Promise<CitationTotals>
  topPages(
    filter: TrackingFilter & { classification?: Classification },
    page: { offset: number; limit: number },
  ): Promise<RankedRows<PageRow>>
  topDomains(
    filter: TrackingFilter & { classification?: Classification },
    page: { offset: number; limit: number },
  ): Promise<RankedRows<DomainRow>>
  citationsByDay(
    filter: TrackingFilter,
  ): Promise<Array<{ day: Day; classification: Classification; count: number }>>
  /** Citations of one URL in the window. */
  citationsOfUrl(projectId: string, url: string, from: Day, to: Day): Promise<number>
  /** Per prompt: runs and runs mentioning the brand, the least present first. */
  promptPresence(
    filter: TrackingFilter,
  ): Promise<Array<{ promptId: string; text: string; runs: number; mentions: number }>>
}

export interface SeriesStore {
  insertAdoption(points: readonly AdoptionPoint[]): Promise<void>
  insertTraffic(points: readonly TrafficPoint[]): Promise<void>
  adoption(projectId: string, from: Day, to: Day): Promise<AdoptionPoint[]>
  /** Visits summed per day, per source or per landing page. */
  trafficBy(
    projectId: string,
    from: Day,
    to: Day,
    by: 'day' | 'source' | 'landingPage',
  ): Promise<Array<{ key: string; visits: number }>>
}

export interface PromptTestSummary {
  id: string
  name: string
  prompt: string
  createdAt: Instant
  runCount: number
  lastRunAt: Instant | null
}

export interface PromptTestStore {
  insert(test: PromptTest): Promise<void>
  list(projectId: string): Promise<PromptTestSummary[]>
  /** With every run, newest first, and each run's per-platform results. */
  findById(id: string): Promise<PromptTest | undefined>
}

export interface ActionStore {
  insert(action: Action): Promise<void>
  findById(id: string): Promise<Action | undefined>
  list(projectId: string, status?: ActionStatus): Promise<Action[]>
  updateStatus(id: string, status: ActionStatus, at: Instant, completedAt: Instant | null): Promise<void>
  insertIntervention(intervention: Intervention): Promise<void>
  interventionOf(actionId: string): Promise<Intervention | undefined>
  listInterventions(projectId: string): Promise<Array<Intervention & { actionType: string }>>
  countByStatus(projectId: string, status: ActionStatus): Promise<number>
}

/** Brief generation state. The conditional updates are what keep two callers from running the same job. */
export interface BriefStore {
  find(actionId: string): Promise<Brief | undefined>
  /** Creates the brief as `queued` unless one exists; tells whether this call created it. */
  enqueue(brief: { actionId: string; projectId: string; at: Instant }): Promise<boolean>
  /**
   * Moves a queued brief, or one whose generation lease ran out, to `generating` with a new lease; tells whether
   * this caller won it. Of several concurrent callers exactly one wins.
   */
  claim(actionId: string, now: Instant, leaseUntil: Instant): Promise<boolean>
  /** Briefs that are queued, or generating under a lease that ran out (their worker stopped): up to `limit`. */
  listNeedingWork(now: Instant, limit: number): Promise<string[]>
  /** Stores the markdown, only while the caller still holds the lease; tells whether it did. */
  complete(actionId: string, lease: Instant, markdown: string, at: Instant): Promise<boolean>
}

export interface AnalyticsStores {
  tracking: TrackingStore
  series: SeriesStore
  tests: PromptTestStore
  actions: ActionStore
  briefs: BriefStore
}
