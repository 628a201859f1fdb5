import createClient, { type Client, type ClientOptions } from 'openapi-fetch'
import type { components, paths } from './api.generated.ts'

export type { components, operations, paths } from './api.generated.ts'
export { verifyWebhookSignature } from './webhook-signature.ts'

/** Named shapes of the API: `Schema<'Webhook'>`, `Schema<'VisibilitySummary'>`… */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name]

export interface KeywardClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The server's API root, e.g. `https://keyward.example.com/api/v2` (the document's `servers[0].url`). */
  baseUrl: string
  /** A `dtk_live_…` key, sent as `Authorization: Bearer` on every request. */
  apiKey: string
}

/**
 * A typed client of the REST API v2: `client.GET('/projects/{projectId}/webhooks', {params: {path: {projectId}}})`
 * answers `{data, error, response}` typed from the document. Rate-limit headers are on `response.headers`.
 */
export function createKeywardClient(options: KeywardClientOptions): Client<paths> {
  const { apiKey, headers, ...rest } = options
  return createClient<paths>({
    ...rest,
    headers: { ...(headers as Record<string, string> | undefined), authorization: `Bearer ${apiKey}` },
  })
}
