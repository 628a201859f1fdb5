import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { conflict } from '../src/core/errors.ts'
import { appDeps } from '../src/main.ts'
import { keyedRoute } from '../src/transport/capabilities/capability.ts'
import { registerMcp } from '../src/transport/mcp/http.ts'
import { apiWorld } from './support/api.ts'
import { connectMcp, mcpUrl } from './support/mcp.ts'

/** A tool whose use-case refuses with a code no public route uses yet: its status must come from the one table. */
const clashing = keyedRoute({
  method: 'POST',
  path: '/projects/:projectId/clashes',
  operationId: 'clash',
  summary: 'Always clashes',
  tool: { name: 'devtune_clash', description: 'Always answers conflict.' },
  scope: 'webhooks.write',
  response: z.object({}),
  handle: async () => {
    throw conflict('That subscription already exists')
  },
})

let world: Awaited<ReturnType<typeof apiWorld>>
let app: FastifyInstance
let client: Client

beforeAll(async () => {
  world = await apiWorld()
  app = Fastify()
  await app.register(async (mcp) => registerMcp(mcp, [clashing], appDeps(world.keyward)))
  client = await connectMcp(await mcpUrl(app), await world.mint(world.project.id))
})
afterAll(async () => {
  await client.close()
  await app.close()
  await world.close()
})

describe('MCP tool errors share the REST error table', () => {
  it('logs a conflict refused by the use-case with its own status and code, as REST would (409)', async () => {
    const result = await client.callTool({ name: 'devtune_clash', arguments: {} })
    expect(result).toMatchObject({
      isError: true,
      content: [{ type: 'text', text: 'conflict: That subscription already exists' }],
    })
    await world.keyward.activity.flush()
    const rows = await world.keyward.database.db
      .selectFrom('activity')
      .select(['method', 'route', 'status', 'error_code', 'rate_limited'])
      .where('route', '=', 'devtune_clash')
      .execute()
    expect(rows).toEqual([
      { method: 'MCP', route: 'devtune_clash', status: 409, error_code: 'conflict', rate_limited: 0 },
    ])
  })
})
