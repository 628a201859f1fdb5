const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const

/**
 * A duration as people type it: a whole number and one unit (`90m`, `2h`, `7d`, `2w`; `s` too). Undefined for
 * anything else, so that each caller words its own error with its own bounds.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,7})([smhdw])$/.exec(text.trim())
  if (!match) return undefined
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs]
}

export const hourMs = unitMs.h
export const dayMs = unitMs.d
