import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { responseSerializerCompiler } from './response-serializer.ts'

const compile = (schema: z.ZodType) =>
  responseSerializerCompiler({ schema, method: 'GET', url: '/x', httpStatus: '200' })

describe('responseSerializerCompiler', () => {
  const webhook = z.object({
    id: z.uuid(),
    events: z.array(z.enum(['a', 'b'])),
    isActive: z.boolean(),
    note: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })

  it('writes the declared fields only, so an undeclared secret never leaves', () => {
    const declared = {
      id: '0192f0c4-8f6e-7c3a-9b1d-2f4e6a8c0b1d',
      events: ['a'],
      isActive: true,
      note: null,
      createdAt: '2026-11-30T00:00:00.000Z',
    }
    const body = compile(z.object({ data: z.array(webhook) }))({
      data: [{ ...declared, secret: 'f'.repeat(64) }],
      internal: 1,
    })
    expect(JSON.parse(body)).toEqual({ data: [declared] })
    expect(body).not.toContain('secret')
  })

  it('refuses a body that lacks a required field (the request then fails with 500)', () => {
    expect(() => compile(webhook)({ id: '0192f0c4-8f6e-7c3a-9b1d-2f4e6a8c0b1d', events: [] })).toThrow(
      /required/,
    )
  })

  it('escapes strings', () => {
    expect(JSON.parse(compile(z.object({ s: z.string() }))({ s: '"\n\u2028</script>' }))).toEqual({
      s: '"\n\u2028</script>',
    })
  })
})
