import { compileErrors, dereference, validate } from '@readme/openapi-parser'
import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import fc from 'fast-check'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { OpenAPIV3_1 } from 'openapi-types'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appDeps, type Keyward } from '../src/main.ts'
import { publicRoutes } from '../src/transport/capabilities/table.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { teamWithProject, testKeyward } from './support/keyward.ts'
import {
  collectIds,
  type Document,
  type Documented,
  operations,
  type PathValue,
  request,
} from './support/openapi-requests.ts'

const errorStatuses = ['400', '401', '403', '404', '429']
const base = '/api/v2'
const templated = (path: string) => path.replace(/:(\w+)/g, '{$1}')

/** Fastify's own list of routes, read from its route tree (`printRoutes` draws one node per line). */
function servedRoutes(app: FastifyInstance): { method: string; url: string }[] {
  const segments: string[] = []
  const routes: { method: string; url: string }[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const node = line.match(/^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/)
    if (!node) continue
    segments.length = (node[1] ?? '').length / 4
    segments.push(node[2] ?? '')
    for (const method of node[3]?.split(', ') ?? []) routes.push({ method, url: segments.join('') })
  }
  return routes
}

let keyward: Keyward
let app: FastifyInstance
let document: Document

beforeAll(async () => {
  keyward = await testKeyward()
  app = await buildApp({ ...appDeps(keyward), logLevel: 'error' })
  const response = await app.inject({ method: 'GET', url: `${base}/openapi.json` })
  expect(response.statusCode).toBe(200)
  document = response.json()
})
afterAll(async () => {
  await app?.close()
  await keyward?.close()
})

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1, served relative to /api/v2', async () => {
    const result = await validate(structuredClone(document) as unknown as OpenAPIV3_1.Document)
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true)
    expect(document.openapi).toMatch(/^3\.1\./)
    // Absolute, from KEYWARD_PUBLIC_URL, so that generators and clients need no base URL of their own.
    expect(document.servers).toEqual([
      { url: `${keyward.config.publicUrl}${base}`, description: 'This server (KEYWARD_PUBLIC_URL)' },
    ])
  })

  it('documents every public route, with its scope and the error answers', () => {
    const table = publicRoutes(keyward.services)
    const fromTable = table.map((r) => `${r.method} ${templated(r.path)}`).sort()
    // The document and its UI are the only routes under /api/v2 outside the keyed pipeline.
    const fromFastify = servedRoutes(app)
      .filter((r) => r.url.startsWith(`${base}/`) && r.url !== `${base}/openapi.json`)
      .filter((r) => !r.url.startsWith(`${base}/docs`) && r.method !== 'HEAD' && r.method !== 'OPTIONS')
      .map((r) => `${r.method} ${templated(r.url.slice(base.length))}`)
      .sort()
    expect(table.length).toBeGreaterThan(0)
    expect(fromFastify).toEqual(fromTable)
    expect(
      operations(document)
        .map((o) => `${o.method} ${o.path}`)
        .sort(),
    ).toEqual(fromTable)

    for (const route of table) {
      const operation = document.paths[templated(route.path)]?.[route.method.toLowerCase()]
      expect(operation, `${route.method} ${route.path}`).toMatchObject({
        operationId: route.operationId,
        security: [{ bearerAuth: [] }],
      })
      if (route.scope) {
        expect(operation?.['x-required-scope']).toBe(route.scope)
        expect(operation?.description).toContain(`\`${route.scope}\``)
      } else {
        expect(operation).not.toHaveProperty('x-required-scope')
        expect(operation?.description).toBe('Any valid key may call it; no scope is needed.')
      }
      // The shared error answers, each the `Error` envelope, with the headers it carries.
      for (const status of [...errorStatuses, '500', ...(route.method === 'GET' ? [] : ['413', '415'])]) {
        const answer = operation?.responses[status] as unknown as { $ref: string }
        expect(answer?.$ref, status).toMatch(/^#\/components\/responses\/\w+$/)
      }
      const success = operation?.responses[String(route.status ?? 200)] as unknown as { headers: object }
      expect(Object.keys(success.headers)).toEqual([
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
      ])
    }
  })
})

describe('what code generators need', () => {
  const doc = () => document as unknown as Record<string, Record<string, Record<string, unknown>>>

  it('names its schemas and shares its error answers', () => {
    const schemas = Object.keys(doc().components?.schemas ?? {})
    for (const name of [
      'Webhook',
      'WebhookDelivery',
      'Action',
      'Brief',
      'Error',
      'Meta',
      'Pagination',
      'KeyInfo',
    ])
      expect(schemas).toContain(name)
    for (const name of [
      'VisibilitySummary',
      'VisibilityDiff',
      'VisibilityHeatmap',
      'CitationStats',
      'WhatWorks',
    ])
      expect(schemas).toContain(name)
    expect(doc().components?.responses?.RateLimitExceeded).toMatchObject({
      headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    })
    expect(doc().components?.responses?.Unauthorized).toMatchObject({
      headers: { 'WWW-Authenticate': { $ref: '#/components/headers/WwwAuthenticate' } },
    })
    expect(doc().components?.responses?.Forbidden).toMatchObject({
      headers: { 'WWW-Authenticate': { $ref: '#/components/headers/WwwAuthenticateScope' } },
    })
    expect(doc().info?.license).toEqual({ name: 'MIT', url: 'https://opensource.org/license/mit' })
    // Each webhook event is documented as a delivery (OpenAPI 3.1 `webhooks`).
    expect(Object.keys((document as unknown as { webhooks: object }).webhooks)).toContain(
      'visibility.changed',
    )
    // The key lifecycle events, with their payload schema (no secret or hash field in it).
    const hooks = (document as unknown as { webhooks: Record<string, Record<string, unknown>> }).webhooks
    for (const event of ['created', 'rotated', 'revoked', 'exposed', 'expiring', 'expired'])
      expect(JSON.stringify(hooks[`api_key.${event}`])).toContain('#/components/schemas/ApiKeyDelivery')
    expect(hooks['api_key.expiring']?.post).toMatchObject({ operationId: 'onApiKeyExpiring' })
    const eventData = doc().components?.schemas?.ApiKeyEventData as
      | { properties: { key: object } }
      | undefined
    const keyFields = eventData?.properties.key ?? {}
    expect(Object.keys((keyFields as { properties: object }).properties).sort()).toEqual([
      'expiresAt',
      'id',
      'name',
      'prefix',
      'projectId',
      'scopes',
    ])
  })

  it('states windowDays as the enum [30, 90], as the MCP tools do', async () => {
    const summary = document.paths['/projects/{projectId}/visibility/summary']?.get as unknown as {
      parameters: { name: string; schema: unknown }[]
    }
    expect(summary.parameters.find((p) => p.name === 'windowDays')?.schema).toEqual({
      default: 30,
      type: 'integer',
      enum: [30, 90],
    })
    const { toolFromRoute } = await import('../src/transport/mcp/tools.ts')
    for (const route of publicRoutes(keyward.services).filter((r) => r.query?.shape.windowDays)) {
      const input = toolFromRoute(route).inputSchema as { properties: Record<string, { enum?: number[] }> }
      expect(input.properties.windowDays?.enum, route.tool.name).toEqual([30, 90])
    }
  })

  it("is the one document /api/v2/docs renders, under Keyward's title and without the Swagger logo", async () => {
    const rendered = await app.inject({ method: 'GET', url: `${base}/docs/json` })
    expect(rendered.json()).toEqual(document)
    const page = await app.inject({ method: 'GET', url: `${base}/docs/` })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<title>Keyward API</title>')
    const initializer = await app.inject({ method: 'GET', url: `${base}/docs/static/swagger-initializer.js` })
    expect(initializer.body).toContain('"layout":"BaseLayout"') // no top bar: no logo, no other document
    expect(initializer.body).not.toContain('img.src')
  })
})

async function fuzzFixture(keys: number) {
  const other = await teamWithProject(keyward)
  const account = await keyward.services.accounts.create(other.owner, { name: 'Fuzz', plan: 'enterprise' })
  const project = await keyward.services.projects.create(other.owner, {
    accountId: account.id,
    name: 'Fuzzed',
  })
  const created = []
  for (let i = 0; i < keys; i++) {
    created.push(
      await keyward.services.keys.create(other.owner, { projectId: project.id, name: `fuzz ${i}` }),
    )
  }
  return { projectId: project.id, otherProjectId: other.project.id, keys: created.map((k) => k.key) }
}

describe('fuzzing every documented operation', () => {
  it('answers only documented statuses, never 5xx, with bodies that match the documented schemas', async () => {
    const fixture = await fuzzFixture(3) // enterprise: 3 × 1,000 requests a minute, above what this test sends
    const resolved = (await dereference(
      structuredClone(document) as unknown as OpenAPIV3_1.Document,
    )) as unknown
    const documented = operations(resolved as Document)
    const byId = new Map(documented.map((d) => [d.operation.operationId, d]))
    const ajv = new Ajv2020.default({ allErrors: true, strict: true })
    addFormats.default(ajv)
    ajv.addVocabulary(['example', 'xml', 'externalDocs']) // OpenAPI's annotations, unknown to JSON Schema
    const seenIds: string[] = []
    const statuses = new Map<string, number>()
    let sent = 0

    const resolvePath = (template: string, values: Record<string, PathValue>) =>
      template.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = values[name] ?? { kind: 'own' }
        if (value.kind === 'own') return fixture.projectId
        if (value.kind === 'other') return fixture.otherProjectId
        // Before any id was handed out, a well-formed id of nothing this key may touch.
        if (value.kind === 'seen') return seenIds[value.index % seenIds.length] ?? fixture.otherProjectId
        return value.kind === 'raw' ? value.value : encodeURIComponent(value.value)
      })

    const failure = (problem: string, summary: string, response: LightMyRequestResponse) =>
      new Error(`${problem}: ${summary} → ${response.statusCode} ${response.body.slice(0, 400)}`)

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...documented).chain(request), async (generated) => {
        const { method, path, operation } = byId.get(generated.operationId) as Documented
        const search = new URLSearchParams(generated.query).toString()
        const url = `${base}${resolvePath(path, generated.path)}${search ? `?${search}` : ''}`
        const body = generated.body
        const key = fixture.keys[sent++ % fixture.keys.length]
        const response = await app.inject({
          method: method as 'GET',
          url,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body ? { 'content-type': body.contentType } : {}),
          },
          ...(body ? { payload: body.raw } : {}),
        })
        const summary = `${method} ${url}${body ? ` [${body.contentType}] ${body.raw.slice(0, 300)}` : ''}`
        const status = response.statusCode
        const answer = `${operation.operationId} ${status}`
        statuses.set(answer, (statuses.get(answer) ?? 0) + 1)

        if (status >= 500) throw failure('server error', summary, response)
        const documentedAnswer = operation.responses[String(status)]
        if (!documentedAnswer) throw failure('undocumented status', summary, response)
        const schema = documentedAnswer.content?.['application/json']?.schema
        if (!schema) {
          if (response.body !== '') throw failure('body where none is documented', summary, response)
          return
        }
        if (!String(response.headers['content-type']).startsWith('application/json')) {
          throw failure('not JSON', summary, response)
        }
        const json: unknown = response.json()
        const valid = ajv.compile(schema) // Ajv caches compiled schemas by object
        if (!valid(json))
          throw failure(`schema mismatch (${ajv.errorsText(valid.errors)})`, summary, response)
        if (status >= 400 && (json as { status?: number }).status !== status) {
          throw failure('error body names another status', summary, response)
        }
        if (status < 300) collectIds(json, seenIds)
      }),
      { numRuns: 320 },
    )

    const tally = [...statuses].sort().map(([k, n]) => `${k}×${n}`)
    console.info(`fuzzed ${sent} requests: ${tally.join(', ')}`)
    const answered = [...statuses.keys()]
    for (const { operation } of documented) {
      expect(answered.some((k) => k.startsWith(`${operation.operationId} `))).toBe(true)
    }
    expect(answered.some((k) => / 2\d\d$/.test(k))).toBe(true)
    expect(
      answered.filter((k) => k.endsWith(' 429')),
      'the fuzz must not be throttled',
    ).toEqual([])
  })
})
