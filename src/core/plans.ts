export const plans = ['free', 'plus', 'pro', 'enterprise'] as const
export type Plan = (typeof plans)[number]

/** Requests per minute per key; `free` has no API access at all. */
export const rateLimitPerMinute: Record<Plan, number> = { free: 0, plus: 100, pro: 500, enterprise: 1000 }

export function isPlan(value: string): value is Plan {
  return (plans as readonly string[]).includes(value)
}

export function planHasApiAccess(plan: Plan): boolean {
  return rateLimitPerMinute[plan] > 0
}
