import { webhookTestEvent } from '../../core/webhook-delivery.ts'
import { webhookEvents } from '../../core/webhooks.ts'
import type { KeyedRoute } from '../capabilities/capability.ts'

/**
 * What code generators need beyond what @fastify/swagger writes from the Zod schemas: an absolute server URL, named
 * schemas (so generated types have names), shared error responses, the headers every keyed answer carries, and the
 * webhook deliveries. Built once from the generated document; the Zod schemas stay the one source of the shapes.
 */

type Json = Record<string, unknown>
interface Operation extends Json {
  operationId: string
  responses: Record<string, Json>
  parameters?: Json[]
  tags?: string[]
}
export interface OpenApiDocument extends Json {
  info: Json
  paths: Record<string, Record<string, Operation>>
  components?: Json
}

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` })
const errorContent = { 'application/json': { schema: ref('schemas', 'Error') } }
const rateHeaders = (required: boolean) => ({
  'X-RateLimit-Limit': ref('headers', required ? 'RateLimitLimit' : 'RateLimitLimitIfKeyValid'),
  'X-RateLimit-Remaining': ref('headers', required ? 'RateLimitRemaining' : 'RateLimitRemainingIfKeyValid'),
  'X-RateLimit-Reset': ref('headers', required ? 'RateLimitReset' : 'RateLimitResetIfKeyValid'),
})

const integerHeader = (description: string, required = true) => ({
  description,
  required,
  schema: { type: 'integer' },
})
const headers = {
  RateLimitLimit: integerHeader("Requests per minute allowed to this key (its plan's limit)"),
  RateLimitRemaining: integerHeader('Requests left in the current window, after this one'),
  RateLimitReset: integerHeader('When the current window ends, in Unix seconds'),
  RateLimitLimitIfKeyValid: integerHeader('As on a success; sent when the key itself is valid', false),
  RateLimitRemainingIfKeyValid: integerHeader('As on a success; sent when the key itself is valid', false),
  RateLimitResetIfKeyValid: integerHeader('As on a success; sent when the key itself is valid', false),
  RetryAfter: integerHeader('Seconds until the window resets and requests are accepted again'),
  WwwAuthenticate: {
    description: 'The Bearer challenge (RFC 6750): `Bearer`, or `Bearer error="invalid_token"`',
    required: true,
    schema: { type: 'string' },
  },
  WwwAuthenticateScope: {
    description: 'For a missing scope: `Bearer error="insufficient_scope", scope="<the scope>"`',
    required: false,
    schema: { type: 'string' },
  },
}

/** The shared error answers: `{error, message, status}`, with the headers each one carries. */
const responses: Record<string, Json> = {
  BadRequest: {
    description: 'Invalid input: the message names each parameter and, where it has them, its allowed values',
    headers: rateHeaders(true),
    content: errorContent,
  },
  Unauthorized: {
    description: 'No key, or an invalid, expired or revoked one (always the same answer)',
    headers: { 'WWW-Authenticate': ref('headers', 'WwwAuthenticate') },
    content: errorContent,
  },
  Forbidden: {
    description:
      "A valid key refused: another project, a plan without API access, or the operation's scope missing",
    headers: { ...rateHeaders(false), 'WWW-Authenticate': ref('headers', 'WwwAuthenticateScope') },
    content: errorContent,
  },
  NotFound: {
    description: 'The resource does not exist in this project',
    headers: rateHeaders(true),
    content: errorContent,
  },
  PayloadTooLarge: { description: 'A body over 64 KB', headers: rateHeaders(true), content: errorContent },
  UnsupportedMediaType: {
    description: 'A body that is not JSON',
    headers: rateHeaders(true),
    content: errorContent,
  },
  RateLimitExceeded: {
    description: "The key's per-minute budget is spent; retry after `Retry-After` seconds",
    headers: { ...rateHeaders(true), 'Retry-After': ref('headers', 'RetryAfter') },
    content: errorContent,
  },
  InternalError: {
    description: 'An unexpected failure; the detail is logged under the `X-Request-Id` of the answer',
    content: errorContent,
  },
}
const responseByStatus: Record<string, string> = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '413': 'PayloadTooLarge',
  '415': 'UnsupportedMediaType',
  '429': 'RateLimitExceeded',
  '500': 'InternalError',
}

const tagDescriptions: Record<string, string> = {
  key: 'The calling key itself (no scope needed)',
  visibility: 'Share of voice, presence and position of the brand in AI answers (`visibility.read`)',
  citations: 'Pages and domains AI answers cite (`citations.read`)',
  competitive: 'The brand against its competitors over time (`competitive.read`)',
  adoption: 'Package downloads and repository stars (`adoption.read`)',
  traffic: 'Visits from AI assistants (`traffic.read`)',
  intelligence: 'What worked: outcomes of completed actions (`intelligence.read`)',
  tests: 'Content tests (`tests.read`)',
  actions: 'Recommendations, backlog work and their briefs (`actions.read`, `actions.write`)',
  webhooks: 'Webhook subscriptions (`webhooks.read`, `webhooks.write`)',
}

/** Where a named schema first appears: an operation's success answer, then a path inside its JSON schema. */
type Locator = [operationId: string, ...path: string[]]
/** Inner shapes first, so that the outer ones refer to them. */
const named: [string, Locator][] = [
  ['Meta', ['listWebhooks', 'meta']],
  ['Pagination', ['getTopCitedPages', 'data', 'pagination']],
  ['Window', ['getVisibilitySummary', 'data', 'window']],
  ['Webhook', ['listWebhooks', 'data', 'webhooks', '[]']],
  ['WebhookWithSecret', ['createWebhook', 'data']],
  ['Action', ['listActions', 'data', 'actions', '[]']],
  ['KeyInfo', ['getCurrentKey', 'data']],
  ['VisibilitySummary', ['getVisibilitySummary', 'data']],
  ['VisibilityDiff', ['getVisibilityDiff', 'data']],
  ['VisibilityHeatmap', ['getVisibilityHeatmap', 'data']],
  ['CitationStats', ['getCitationStats', 'data']],
  ['TopCitedPages', ['getTopCitedPages', 'data']],
  ['TopCitedDomains', ['getTopCitedDomains', 'data']],
  ['CompetitivePosition', ['getCompetitivePosition', 'data']],
  ['AdoptionMetrics', ['getAdoptionMetrics', 'data']],
  ['TrafficSummary', ['getTrafficSummary', 'data']],
  ['WhatWorks', ['getWhatWorksRecommendations', 'data']],
  ['TestList', ['listTests', 'data']],
  ['Test', ['getTest', 'data']],
  ['ActionList', ['listActions', 'data']],
  ['ActionDetail', ['getAction', 'data']],
  ['Brief', ['getActionBrief', 'data']],
  ['BriefGeneration', ['generateActionBrief', 'data']],
  ['WebhookList', ['listWebhooks', 'data']],
  ['WebhookDeleted', ['deleteWebhook']],
]

const webhookDelivery = {
  type: 'object',
  description:
    'The body of every webhook delivery. `X-DevTune-Signature` is the HMAC-SHA256 hex digest of the raw body, ' +
    "keyed with the subscription's secret; `id` stays the same across retries (delivery is at least once).",
  properties: {
    id: { type: 'string', format: 'uuid', description: 'The delivery id: drop duplicates by it' },
    event: { type: 'string', enum: [...webhookEvents, webhookTestEvent] },
    createdAt: { type: 'string', format: 'date-time' },
    projectId: { type: 'string', format: 'uuid' },
    data: {
      type: 'object',
      description:
        'Depends on the event. visibility.changed: `{windowDays, previousMetrics, current}`, where ' +
        "`previousMetrics` is null on the project's first run",
    },
  },
  required: ['id', 'event', 'createdAt', 'projectId', 'data'],
}

const isoOrNull = { type: ['string', 'null'], format: 'date-time' }

/** The `data` of every `api_key.*` delivery (core/key-events.ts): never the key's secret nor its hash. */
const apiKeyEventData = {
  type: 'object',
  description:
    'api_key.created, rotated, revoked and exposed follow the management change; api_key.expiring is sent 30, 7 ' +
    'and 1 days before a key expires and api_key.expired once it has, each once per key (actor `system`).',
  properties: {
    key: {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        name: { type: 'string' },
        prefix: { type: 'string', description: 'The display prefix, e.g. dtk_live_3f9a' },
        projectId: { type: 'string', format: 'uuid' },
        scopes: { type: ['array', 'null'], items: { type: 'string' }, description: 'null: full access' },
        expiresAt: { ...isoOrNull, description: 'null: never expires' },
      },
      required: ['id', 'name', 'prefix', 'projectId', 'scopes', 'expiresAt'],
    },
    actor: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['user', 'key', 'operator', 'system'] },
        id: { type: ['string', 'null'], description: 'The user or key id; null for the operator and system' },
      },
      required: ['type', 'id'],
    },
    occurredAt: {
      ...isoOrNull,
      description: 'When the change was made (created, rotated, revoked, exposed)',
    },
    daysBefore: { type: 'integer', enum: [30, 7, 1], description: 'api_key.expiring only' },
    previousKeyValidUntil: { ...isoOrNull, description: "api_key.rotated only: the previous secret's end" },
    graceSeconds: { type: ['integer', 'null'], description: 'api_key.rotated only' },
    url: { type: ['string', 'null'], description: 'api_key.exposed only: where the secret was found' },
    source: { type: ['string', 'null'], description: 'api_key.exposed only: who reported it' },
  },
  required: ['key', 'actor'],
}

const apiKeyDelivery = {
  allOf: [
    ref('schemas', 'WebhookDelivery'),
    { type: 'object', properties: { data: ref('schemas', 'ApiKeyEventData') } },
  ],
}

function successOf(operation: Operation): Json {
  const status = Object.keys(operation.responses).find((s) => s.startsWith('2'))
  return operation.responses[status ?? '200'] as Json
}

function schemaAt(document: OpenApiDocument, [operationId, ...path]: Locator): Json | undefined {
  const operation = operations(document).find((o) => o.operationId === operationId)
  if (!operation) return undefined
  const content = successOf(operation).content as Record<string, { schema: Json }> | undefined
  let node: Json | undefined = content?.['application/json']?.schema
  for (const step of path) {
    if (!node) return undefined
    node =
      step === '[]' ? (node.items as Json) : (node.properties as Record<string, Json> | undefined)?.[step]
  }
  return node
}

function operations(document: OpenApiDocument): Operation[] {
  return Object.values(document.paths).flatMap((methods) => Object.values(methods))
}

/** Replaces every subschema equal to `target` under `node` with `replacement`. */
function replaceEqual(node: unknown, target: string, replacement: Json): unknown {
  if (Array.isArray(node)) return node.map((item) => replaceEqual(item, target, replacement))
  if (node === null || typeof node !== 'object') return node
  if (JSON.stringify(node) === target) return replacement
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, replaceEqual(v, target, replacement)]))
}

function nameSchemas(document: OpenApiDocument): OpenApiDocument {
  let current = document
  const schemas: Record<string, Json> = {}
  for (const [name, locator] of named) {
    const schema = schemaAt(current, locator)
    if (!schema || '$ref' in schema) continue
    const target = JSON.stringify(schema)
    current = replaceEqual(current, target, ref('schemas', name)) as OpenApiDocument
    for (const [other, body] of Object.entries(schemas))
      schemas[other] = replaceEqual(body, target, ref('schemas', name)) as Json
    schemas[name] = schema
  }
  return { ...current, components: { ...current.components, schemas } }
}

/** The document clients and generators read, built from the one @fastify/swagger wrote. */
export function publicDocument(
  generated: OpenApiDocument,
  routes: readonly KeyedRoute[],
  publicUrl: string,
): OpenApiDocument {
  const scopes = new Map(routes.map((r) => [r.operationId, r.scope]))
  const document = structuredClone(generated)
  // Every operation answers 401 with the one error envelope: it becomes the `Error` schema.
  const unauthorized = operations(document)[0]?.responses['401']?.content as Record<string, { schema: Json }>
  const errorSchema = unauthorized?.['application/json']?.schema
  const tags = new Set<string>()

  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const scope = scopes.get(operation.operationId)
      if (scope) operation['x-required-scope'] = scope
      for (const tag of operation.tags ?? []) tags.add(tag)
      for (const parameter of operation.parameters ?? []) {
        const schema = parameter.schema as Json | undefined
        if (schema?.deprecated) {
          parameter.deprecated = true
          delete schema.deprecated
        }
      }
      const success = successOf(operation)
      success.description = method === 'post' && path.endsWith('/webhooks') ? 'Created' : 'OK'
      success.headers = rateHeaders(true)
      const withBody = method !== 'get'
      const statuses = Object.keys(operation.responses)
        .filter((s) => !s.startsWith('2'))
        .concat(withBody ? ['413', '415'] : [], ['500'])
      for (const status of new Set(statuses)) {
        const name = responseByStatus[status]
        if (name) operation.responses[status] = ref('responses', name)
      }
      // The brief's options are optional: no body at all is the documented default.
      const body = operation.requestBody as Json | undefined
      if (body && operation.operationId === 'generateActionBrief') body.required = false
    }
  }

  const named = nameSchemas(document)
  return {
    ...named,
    info: {
      ...named.info,
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
    },
    servers: [
      { url: `${publicUrl.replace(/\/+$/, '')}/api/v2`, description: 'This server (KEYWARD_PUBLIC_URL)' },
    ],
    tags: [...tags].sort().map((name) => ({ name, description: tagDescriptions[name] ?? name })),
    components: {
      ...named.components,
      schemas: {
        ...(named.components?.schemas as Json),
        Error: errorSchema,
        WebhookDelivery: webhookDelivery,
        ApiKeyEventData: apiKeyEventData,
        ApiKeyDelivery: apiKeyDelivery,
      },
      responses,
      headers,
    },
    webhooks: Object.fromEntries(
      webhookEvents.map((event) => [
        event,
        {
          post: {
            operationId: `on${event.replace(/(^|[._-])([a-z])/g, (_, _sep, c: string) => c.toUpperCase())}`,
            summary: `Delivered when ${event} happens, to subscriptions of it`,
            tags: ['webhooks'],
            security: [],
            parameters: [
              {
                in: 'header',
                name: 'X-DevTune-Signature',
                required: true,
                description: "HMAC-SHA256 hex digest of the raw body, keyed with the subscription's secret",
                schema: { type: 'string' },
              },
              {
                in: 'header',
                name: 'X-DevTune-Event',
                required: true,
                schema: { type: 'string', const: event },
              },
            ],
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: ref('schemas', event.startsWith('api_key.') ? 'ApiKeyDelivery' : 'WebhookDelivery'),
                },
              },
            },
            responses: { '200': { description: 'Any 2xx answer acknowledges the delivery' } },
          },
        },
      ]),
    ),
  }
}
