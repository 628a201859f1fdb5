import { dayMs, parseDuration } from './duration.ts'
import { badRequest } from './errors.ts'

/** The grace periods the dashboard offers when a key is rolled; the CLI takes any duration up to the last. */
export const gracePresets = ['0', '1h', '24h', '7d', '30d'] as const
export type GracePreset = (typeof gracePresets)[number]

export const maxGraceMs = 30 * dayMs

/** How long the previous secret stays valid after a rotation: `0` (refused at once) or a duration up to 30 days. */
export function graceMsFor(grace: string): number {
  const ms = grace.trim() === '0' ? 0 : parseDuration(grace)
  if (ms === undefined || ms > maxGraceMs)
    throw badRequest(`Invalid grace period: ${grace} (use 0 or a duration up to 30d, such as 1h, 24h or 7d)`)
  return ms
}
