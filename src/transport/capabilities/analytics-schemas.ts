import { z } from 'zod'
import { actionPriorities, actionStatuses, classifications } from '../../core/analytics/model.ts'

export const windowSchema = z.object({
  days: z.number().int().describe('Window length in days'),
  startDate: z.iso.date().describe('First day included (UTC)'),
  endDate: z.iso.date().describe('Last day included: today (UTC)'),
})
export const rate = z.number().min(0).max(1)
export const classification = z.enum(classifications)
export const visibilityMetricsSchema = z.object({
  shareOfVoice: rate.describe('Brand mentions / (brand + competitor mentions), 0..1'),
  presenceRate: rate.describe('Share of runs whose answer mentions the brand, 0..1'),
  brandMentions: z.number().int(),
  competitorMentions: z.number().int(),
  totalRuns: z.number().int(),
  averagePosition: z
    .number()
    .nullable()
    .describe('Mean 1-based rank of the brand when ranked; null if never'),
  citations: z.object({
    total: z.number().int(),
    primary: z.number().int(),
    competitor: z.number().int(),
    other: z.number().int(),
  }),
})
export const paginationSchema = z.object({
  page: z.number().int(),
  pageSize: z.number().int(),
  totalCount: z.number().int(),
  totalPages: z.number().int(),
})
export const actionSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  type: z.string(),
  status: z.enum(actionStatuses),
  priority: z.enum(actionPriorities),
  targetUrl: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable(),
})
export const actionIdParams = z.object({ actionId: z.uuid() })
