/** Requests generated from an OpenAPI document: path and query parameters and bodies, shaped and junk. */
import fc from 'fast-check'
import { hugeString, type JsonSchema, junk, shaped } from './schema-arbitrary.ts'

export interface Parameter {
  name: string
  in: string
  required?: boolean
  schema?: JsonSchema
}
export type Content = Record<string, { schema?: JsonSchema }>
export interface Operation {
  operationId: string
  description?: string
  security?: unknown
  parameters?: Parameter[]
  requestBody?: { content?: Content }
  responses: Record<string, { content?: Content }>
  'x-required-scope'?: string
}
export interface Document {
  openapi: string
  servers?: { url: string }[]
  paths: Record<string, Record<string, Operation>>
}
/** One operation of the document, with where it lives. */
export interface Documented {
  method: string
  path: string
  operation: Operation
}

const httpMethods = ['get', 'put', 'post', 'delete', 'patch']

export function operations(document: Document): Documented[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => httpMethods.includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  )
}

/** Resolved when the request is sent: the key's own project, another account's, or an id seen in an answer. */
export type PathValue =
  | { kind: 'own' }
  | { kind: 'other' }
  | { kind: 'seen'; index: number }
  | { kind: 'raw'; value: string }
  | { kind: 'text'; value: string }
export type Body = { contentType: string; raw: string } | undefined
export interface Generated {
  operationId: string
  path: Record<string, PathValue>
  query: [string, string][]
  body: Body
}

const text = (value: fc.Arbitrary<unknown>) => value.map((v) => ({ kind: 'text' as const, value: String(v) }))

/** Mostly values that reach the handler (own project, ids the API handed out), and junk of every kind. */
function pathValue(parameter: Parameter): fc.Arbitrary<PathValue> {
  const junkValues = [
    text(shaped(parameter.schema ?? { type: 'string' })),
    text(fc.uuid({ version: 4 })),
    text(fc.string({ unit: 'binary', maxLength: 40 })),
    text(fc.integer({ min: 90, max: 300 }).map((n) => 'a'.repeat(n))),
    // Sent as is, not percent-encoded: what a sloppy client builds by concatenation.
    fc
      .string({ unit: fc.constantFrom(...'az09-._~%'), maxLength: 8 })
      .map((value) => ({ kind: 'raw' as const, value })),
  ]
  if (parameter.name === 'projectId') {
    return fc.oneof(
      { weight: 12, arbitrary: fc.constant({ kind: 'own' as const }) },
      fc.constant({ kind: 'other' as const }),
      ...junkValues,
    )
  }
  return fc.oneof(
    { weight: 8, arbitrary: fc.nat().map((index) => ({ kind: 'seen' as const, index })) },
    ...junkValues,
  )
}

function queryValue(parameter: Parameter): fc.Arbitrary<[string, string][]> {
  const value = fc.oneof(
    { weight: 3, arbitrary: shaped(parameter.schema ?? { type: 'string' }).map(String) },
    fc.string({ maxLength: 20 }),
    hugeString,
  )
  const pair = value.map((v): [string, string][] => [[parameter.name, v]])
  return parameter.required ? pair : fc.oneof(pair, fc.constant<[string, string][]>([]))
}

function requestBody(operation: Operation): fc.Arbitrary<Body> {
  const json = (value: fc.Arbitrary<unknown>) =>
    value.map((v) => ({ contentType: 'application/json', raw: JSON.stringify(v) ?? 'null' }))
  const garbage = fc.oneof(
    fc.string({ maxLength: 20 }).map((raw) => ({ contentType: 'application/json', raw })),
    json(fc.jsonValue({ maxDepth: 2 })).map((b) => ({ ...b, contentType: 'text/plain' })),
  )
  const schema = operation.requestBody?.content?.['application/json']?.schema
  if (!schema) {
    return fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      json(fc.jsonValue({ maxDepth: 2 })),
      garbage,
    )
  }
  return fc.oneof(
    { weight: 5, arbitrary: json(shaped(schema)) },
    { weight: 4, arbitrary: json(junk(schema)) },
    garbage,
    fc.constant(undefined),
  )
}

/** One request for the operation; `operationId` rather than the operation keeps counterexamples short. */
export function request(documented: Documented): fc.Arbitrary<Generated> {
  const parameters = documented.operation.parameters ?? []
  const inPath = parameters.filter((p) => p.in === 'path')
  const inQuery = parameters.filter((p) => p.in === 'query')
  const unknownParameter = fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }))
  const extraQuery = fc.option(unknownParameter, { freq: 4 })
  return fc.record({
    operationId: fc.constant(documented.operation.operationId),
    path: fc.record(Object.fromEntries(inPath.map((p) => [p.name, pathValue(p)]))),
    query: fc
      .tuple(fc.tuple(...inQuery.map(queryValue)), extraQuery)
      .map(([pairs, extra]) => [...pairs.flat(), ...(extra ? [extra] : [])]),
    body: requestBody(documented.operation),
  })
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** Ids the API handed out, to aim later requests at real resources. */
export function collectIds(value: unknown, into: string[]): void {
  if (typeof value === 'string' && uuidPattern.test(value) && !into.includes(value)) into.push(value)
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectIds(v, into)
}
