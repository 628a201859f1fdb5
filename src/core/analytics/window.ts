import { badRequest } from '../errors.ts'
import type { Instant } from '../model.ts'
import type { Day } from './model.ts'

export const dayMs = 86_400_000
export const windowChoices = [30, 90] as const
export type WindowDays = (typeof windowChoices)[number]

/** UTC midnight of the day containing `at`. */
export const dayOf = (at: Instant): Day => Math.floor(at / dayMs) * dayMs
export const isoDay = (day: Day) => new Date(day).toISOString().slice(0, 10)

/**
 * A window of N days is the N whole UTC days ending with today, both ends included: with N = 30 and today
 * 2026-03-31, it runs from 2026-03-02 to 2026-03-31. The previous window is the N days just before it.
 */
export interface Window {
  days: number
  /** First day included (UTC midnight). */
  from: Day
  /** Last day included (UTC midnight): today. */
  to: Day
}

export function windowEndingToday(now: Instant, days: number): Window {
  if (!Number.isInteger(days) || days < 1) throw badRequest('Invalid query parameters: windowDays')
  const to = dayOf(now)
  return { days, from: to - (days - 1) * dayMs, to }
}

export const previousWindow = (w: Window): Window => ({
  days: w.days,
  from: w.from - w.days * dayMs,
  to: w.from - dayMs,
})

export const describeWindow = (w: Window) => ({
  days: w.days,
  startDate: isoDay(w.from),
  endDate: isoDay(w.to),
})

/** Divides, answering 0 instead of NaN when there is nothing to divide; rounded to 4 decimals. */
export const ratio = (part: number, whole: number) =>
  whole === 0 ? 0 : Math.round((part / whole) * 1e4) / 1e4
export const round4 = (n: number) => Math.round(n * 1e4) / 1e4
export const round2 = (n: number) => Math.round(n * 100) / 100

/** Relative change in percent, null when the previous value was 0. */
export const percentChange = (current: number, previous: number) =>
  previous === 0 ? null : round2(((current - previous) / previous) * 100)
