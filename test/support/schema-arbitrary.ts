import fc from 'fast-check'

/** The part of JSON Schema (2020-12, as OpenAPI 3.1 embeds it) that the generators below understand. */
export interface JsonSchema {
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
  items?: JsonSchema
  properties?: Record<string, JsonSchema>
  required?: string[]
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  allOf?: JsonSchema[]
}

/** Past DevTune's 2,048-character limits, and past the 64 KiB body limit. */
export const hugeString = fc.constantFrom(2049, 70_000).map((n) => 'x'.repeat(n))

const clampInt = (n: number | undefined, fallback: number) =>
  Math.max(-2_000_000_000, Math.min(2_000_000_000, n ?? fallback))

function shapedString(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0
  const maxLength = schema.maxLength ?? Number.POSITIVE_INFINITY
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength
  switch (schema.format) {
    case 'uuid':
      return fc.uuid({ version: 4 })
    case 'date-time':
      return fc
        .date({ min: new Date(0), max: new Date(Date.UTC(2100, 0)), noInvalidDate: true })
        .map((d) => d.toISOString())
    case 'date':
      return fc
        .date({ min: new Date(0), max: new Date(Date.UTC(2100, 0)), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10))
    case 'uri':
    case 'url':
      return fc.webUrl().filter(fits)
    case 'email':
      return fc.emailAddress().filter(fits)
  }
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter(fits)
    } catch {
      // a pattern fast-check cannot invert: fall through to plain strings
    }
  }
  // Strings in an API mostly carry URLs and ids; offering those reaches code past the "is it a URL" checks.
  return fc
    .oneof(
      fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 40) }),
      { weight: 4, arbitrary: fc.webUrl({ validSchemes: ['https', 'http'] }) },
      fc.uuid({ version: 4 }),
    )
    .filter(fits)
}

/** Values shaped by the schema: what a careful client sends. */
export function shaped(schema: JsonSchema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const)
  if (schema.enum) return fc.constantFrom(...schema.enum)
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives) return fc.oneof(...alternatives.map(shaped))
  if (schema.allOf) return shaped(Object.assign({}, ...schema.allOf))
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => shaped({ ...schema, type })))
  switch (schema.type) {
    case 'string':
      return shapedString(schema)
    case 'integer':
      return fc.integer({ min: clampInt(schema.minimum, -1000), max: clampInt(schema.maximum, 100_000) })
    case 'number':
      return fc.double({ min: schema.minimum, max: schema.maximum, noNaN: true, noDefaultInfinity: true })
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array':
      return fc.array(schema.items ? shaped(schema.items) : fc.jsonValue({ maxDepth: 1 }), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, (schema.minItems ?? 0) + 4),
      })
    case 'object': {
      const properties = schema.properties ?? {}
      const model = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, shaped(s)]))
      return fc.record(model, { requiredKeys: schema.required ?? [] })
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

/** Values a careless or hostile client sends: wrong types, missing and extra fields, huge strings, at any depth. */
export function junk(schema: JsonSchema): fc.Arbitrary<unknown> {
  const anyJson = fc.jsonValue({ maxDepth: 2 })
  const properties = Object.entries(schema.properties ?? {})
  if (schema.type !== 'object' || properties.length === 0) {
    if (schema.type === 'array' && schema.items) {
      return fc.oneof(anyJson, hugeString, fc.array(junk(schema.items), { minLength: 1, maxLength: 3 }))
    }
    return fc.oneof(anyJson, hugeString)
  }
  const valid = shaped(schema) as fc.Arbitrary<Record<string, unknown>>
  const required = schema.required ?? []
  const missing = required.length
    ? fc.tuple(valid, fc.constantFrom(...required)).map(([value, name]) => {
        const { [name]: _dropped, ...rest } = value
        return rest
      })
    : valid
  const extra = fc
    .tuple(valid, fc.string({ minLength: 1, maxLength: 12 }), anyJson)
    .map(([value, name, v]) => ({ ...value, [name]: v }))
  const wrongField = fc
    .constantFrom(...properties)
    .chain(([name, s]) => fc.tuple(valid, junk(s)).map(([value, v]) => ({ ...value, [name]: v })))
  return fc.oneof(anyJson, missing, extra, wrongField)
}
