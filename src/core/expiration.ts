import { badRequest } from './errors.ts'

const day = 86_400_000

/** The six choices of the Create API Key dialog, counted from creation. */
export const expirationChoices = {
  never: null,
  '30d': 30 * day,
  '60d': 60 * day,
  '90d': 90 * day,
  '180d': 180 * day,
  '1y': 365 * day,
} as const satisfies Record<string, number | null>
export type ExpirationChoice = keyof typeof expirationChoices

export function expiresAtFor(choice: string, createdAt: number): number | null {
  if (!Object.hasOwn(expirationChoices, choice)) {
    throw badRequest(`Invalid expiration: ${choice} (use ${Object.keys(expirationChoices).join(', ')})`)
  }
  const lifetime = expirationChoices[choice as ExpirationChoice]
  return lifetime === null ? null : createdAt + lifetime
}
