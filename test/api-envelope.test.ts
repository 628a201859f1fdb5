import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiWorld } from './support/api.ts'
import { type RawResponse, rawHttp } from './support/raw-http.ts'

/**
 * Answers made before a route runs (by Node's parser, Fastify's body parser, CORS), over a real socket: every error
 * under /api/v2 and /api/mcp is the envelope with `status` equal to the HTTP status, and a body the MCP endpoint
 * cannot read is a JSON-RPC error, as the MCP SDK's own transport answers it.
 */
type World = Awaited<ReturnType<typeof apiWorld>>
let world: World
let key: string
let port: number
let rest: string
const mcp = '/api/mcp'

beforeAll(async () => {
  world = await apiWorld()
  key = await world.mint(world.project.id)
  rest = `/api/v2/projects/${world.project.id}/webhooks`
  await world.app.listen({ port: 0, host: '127.0.0.1' })
  port = (world.app.server.address() as AddressInfo).port
})
afterAll(() => world.close())

const send = (lines: string[], body = '') => rawHttp(port, `${lines.join('\r\n')}\r\n\r\n${body}`)
const post = (path: string, type: string, body: string, extra: string[] = []) =>
  send(
    [
      `POST ${path} HTTP/1.1`,
      'Host: localhost',
      'Connection: close',
      `Authorization: Bearer ${key}`,
      `Content-Type: ${type}`,
      'Accept: application/json, text/event-stream',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...extra,
    ],
    body,
  )

function expectEnvelope(response: RawResponse, status: number) {
  expect(response.status).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/json/)
  expect(JSON.parse(response.body)).toEqual({ error: 'bad_request', message: expect.any(String), status })
}

function expectJsonRpcError(response: RawResponse, status: number, code: number, message: string) {
  expect(response.status).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/json/)
  expect(JSON.parse(response.body)).toEqual({
    jsonrpc: '2.0',
    error: { code, message, data: { error: 'bad_request', status } },
    id: null,
  })
}

describe.each([
  ['the REST API', () => rest],
  ['the MCP endpoint', () => mcp],
])('requests refused before a route runs, on %s', (_name, path) => {
  it('answers a malformed request line with the 400 envelope', async () => {
    expectEnvelope(await send([`GET ${path()} junk HTTP/1.1`, 'Host: localhost']), 400)
  })

  it('answers a request without a Host header with the 400 envelope', async () => {
    const response = await send([
      `GET ${path()} HTTP/1.1`,
      'Connection: close',
      `Authorization: Bearer ${key}`,
    ])
    expectEnvelope(response, 400)
  })

  it('answers headers over 16 KB with the 431 envelope', async () => {
    const response = await send([
      `GET ${path()} HTTP/1.1`,
      'Host: localhost',
      `Authorization: Bearer ${key}`,
      `X-Padding: ${'a'.repeat(17 * 1024)}`,
    ])
    expectEnvelope(response, 431)
  })

  it('refuses two Authorization headers with the 400 envelope, whichever comes first, and logs the row', async () => {
    for (const [first, second] of [
      [key, 'dtk_live_other'],
      ['dtk_live_other', key],
    ]) {
      const response = await send([
        `GET ${path()} HTTP/1.1`,
        'Host: localhost',
        'Connection: close',
        `Authorization: Bearer ${first}`,
        `authorization: Bearer ${second}`,
      ])
      expectEnvelope(response, 400)
      expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_request"')
    }
    await world.keyward.activity.flush()
    const rows = await world.keyward.database.db
      .selectFrom('activity')
      .select(['status', 'key_id', 'path'])
      .where('status', '=', 400)
      .where('path', '=', path())
      .execute()
    expect(rows).toEqual([
      { status: 400, key_id: null, path: path() },
      { status: 400, key_id: null, path: path() },
    ])
  })
})

describe('request bodies the server does not read', () => {
  const oversized = JSON.stringify({ url: `https://example.com/${'a'.repeat(70_000)}`, events: [] })

  it('answers a REST body over 64 KB with the 413 envelope', async () => {
    expectEnvelope(await post(rest, 'application/json', oversized), 413)
  })

  it('answers an MCP body over 64 KB with a JSON-RPC error and 413, as the MCP SDK does', async () => {
    const message = 'Payload Too Large: Request body must not exceed 65536 bytes'
    expectJsonRpcError(await post(mcp, 'application/json', oversized), 413, -32000, message)
  })

  it('answers an MCP body that is not JSON with a JSON-RPC parse error', async () => {
    const response = await post(mcp, 'application/json', '{"jsonrpc": ')
    expectJsonRpcError(response, 400, -32700, 'Parse error: Invalid JSON')
  })

  it('answers an MCP body of another media type with a JSON-RPC error and 415', async () => {
    const message = 'Unsupported Media Type: Content-Type must be application/json'
    expectJsonRpcError(await post(mcp, 'application/xml', '<call/>'), 415, -32000, message)
  })
})

describe('OPTIONS under /api/v2', () => {
  it('answers a request that is no CORS preflight with the 400 envelope', async () => {
    expectEnvelope(await send([`OPTIONS ${rest} HTTP/1.1`, 'Host: localhost', 'Connection: close']), 400)
  })

  it('still answers a preflight with 204 and the CORS headers', async () => {
    const response = await send([
      `OPTIONS ${rest} HTTP/1.1`,
      'Host: localhost',
      'Connection: close',
      'Origin: https://app.example',
      'Access-Control-Request-Method: POST',
    ])
    expect(response.status).toBe(204)
    expect(response.headers['access-control-allow-origin']).toBe('*')
    expect(response.headers['access-control-allow-methods']).toBe('GET, POST, PATCH, DELETE')
  })
})
