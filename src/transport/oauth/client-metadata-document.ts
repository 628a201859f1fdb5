import { createGuardedFetch } from '../guarded-agent.ts'

const maxDocumentBytes = 16 * 1024
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
  return async (clientId: string): Promise<Record<string, unknown> | undefined> => {
    if (!isClientMetadataDocumentUrl(clientId, options.allowPrivate)) return undefined
    try {
      const response = await guardedFetch(clientId, {
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': 'keyward-oauth' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      })
      if (response.status !== 200) return undefined
      const text = await response.text()
      if (text.length > maxDocumentBytes) return undefined
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
