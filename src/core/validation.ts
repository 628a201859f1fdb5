import { badRequest } from './errors.ts'

/** Display names of accounts, projects and keys: trimmed, 1–100 characters. */
export function requireName(value: unknown, what: string): string {
  const name = typeof value === 'string' ? value.trim() : ''
  if (name.length === 0) throw badRequest(`${what} name is required`)
  if (name.length > 100) throw badRequest(`${what} name must be at most 100 characters`)
  return name
}

export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
}
