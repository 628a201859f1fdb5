import { z } from 'zod'
import type { PartnerPublicKey } from '../core/partner-keyring.ts'
import { createGuardedFetch } from './guarded-agent.ts'

/** GitHub's key list; other fields it may add are ignored. */
const keyList = z.object({
  public_keys: z.array(z.object({ key_identifier: z.string(), key: z.string(), is_current: z.boolean() })),
})

const maxListBytes = 256 * 1024

/**
 * Fetches the key list through the guarded agent (no redirects, public addresses only unless
 * KEYWARD_ALLOW_HTTP_WEBHOOKS=1 lets a test serve it on loopback), with a timeout and a size bound.
 */
export function partnerKeyFetcher(url: string, options: { allowPrivate: boolean; timeoutMs?: number }) {
  const guardedFetch = createGuardedFetch({ allowPrivate: options.allowPrivate })
  return async (): Promise<PartnerPublicKey[]> => {
    const response = await guardedFetch(url, {
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': 'keyward-secret-scanning' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    })
    if (!response.ok) throw new Error(`The secret scanning key list at ${url} answered ${response.status}`)
    const text = await response.text()
    if (text.length > maxListBytes) throw new Error(`The secret scanning key list at ${url} is too large`)
    const parsed = keyList.safeParse(JSON.parse(text))
    if (!parsed.success) throw new Error(`The secret scanning key list at ${url} is not in GitHub's format`)
    return parsed.data.public_keys.map((k) => ({
      keyIdentifier: k.key_identifier,
      key: k.key,
      isCurrent: k.is_current,
    }))
  }
}
