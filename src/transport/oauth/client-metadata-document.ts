import { LRUCache } from 'lru-cache'
import { createGuardedFetch } from '../guarded-agent.ts'

const maxDocumentBytes = 16 * 1024
type GuardedResponse = Awaited<ReturnType<ReturnType<typeof createGuardedFetch>>>
/** Secrets cannot be published: a client known by its document authenticates with none, or with its own keys. */
const allowedAuthMethods = new Set(['none', 'private_key_jwt'])

/** A client ID that names its metadata document (draft-ietf-oauth-client-id-metadata-document): an https URL. */
export function isClientMetadataDocumentUrl(clientId: string, allowHttp: boolean): boolean {
  if (!URL.canParse(clientId)) return false
  const url = new URL(clientId)
  const schemes = allowHttp ? ['https:', 'http:'] : ['https:']
  return schemes.includes(url.protocol) && url.pathname !== '/' && !url.hash && !url.username && !url.password
}

/**
 * Fetches a client's metadata document through the same guarded agent as webhooks (public addresses only, checked
 * at connect time, no redirects), with a timeout and a size bound. The document must name its own URL as
 * `client_id`; anything else (an error status, a redirect, not JSON, another client_id, a secret) is no client.
 */
export function clientMetadataDocuments(options: { allowPrivate: boolean; timeoutMs?: number }) {
  const guardedFetch = createGuardedFetch({ allowPrivate: options.allowPrivate })
  // Anyone may name any URL as a client_id on the (unauthenticated) authorization endpoint: a URL that gave no
  // document is not asked again for a minute, so repeating the request does not repeat the fetch.
  const failed = new LRUCache<string, true>({ max: 10_000, ttl: 60_000 })
  return async (clientId: string): Promise<Record<string, unknown> | undefined> => {
    if (!isClientMetadataDocumentUrl(clientId, options.allowPrivate) || failed.has(clientId)) return undefined
    const document = await fetchDocument(clientId)
    if (!document) failed.set(clientId, true)
    return document
  }

  async function fetchDocument(clientId: string): Promise<Record<string, unknown> | undefined> {
    try {
      const response = await guardedFetch(clientId, {
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': 'keyward-oauth' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      })
      if (response.status !== 200) return undefined
      const text = await boundedText(response, maxDocumentBytes)
      if (text === undefined) return undefined
      const document: unknown = JSON.parse(text)
      if (typeof document !== 'object' || document === null || Array.isArray(document)) return undefined
      const metadata = document as Record<string, unknown>
      if (metadata.client_id !== clientId || 'client_secret' in metadata) return undefined
      const method = metadata.token_endpoint_auth_method ?? 'none'
      if (typeof method !== 'string' || !allowedAuthMethods.has(method)) return undefined
      return { ...metadata, token_endpoint_auth_method: method }
    } catch {
      return undefined // unreachable, refused by the guard, timed out or not JSON: the client is unknown
    }
  }
}

/** The body as text, reading no more than `limit` bytes: undefined (and the rest never read) when it is longer. */
async function boundedText(response: GuardedResponse, limit: number): Promise<string | undefined> {
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await response.body?.cancel()
    return undefined
  }
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength
    if (size > limit) {
      await response.body?.cancel().catch(() => {})
      return undefined
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
