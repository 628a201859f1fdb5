import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiWorld } from './support/api.ts'
import { mcpUrl } from './support/mcp.ts'

type World = Awaited<ReturnType<typeof apiWorld>>
let world: World
let url: string
beforeAll(async () => {
  world = await apiWorld()
  url = await mcpUrl(world.app)
})
afterAll(() => world.close())

/** A stdio-only MCP client, talking to `keyward mcp` as a child process. */
async function stdioClient(args: string[], env: Record<string, string> = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['bin/keyward.js', 'mcp', '--url', url, ...args],
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: 'pipe',
  })
  const client = new Client({ name: 'stdio-test', version: '1.0.0' })
  await client.connect(transport)
  return client
}

describe('keyward mcp (stdio bridge)', () => {
  it('forwards to the HTTP endpoint with the key from --key', async () => {
    const key = await world.mint(world.project.id, { scopes: ['webhooks.read'] })
    const client = await stdioClient(['--key', key])
    try {
      // devtune_whoami needs no scope: every key sees it.
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual([
        'devtune_whoami',
        'devtune_list_webhooks',
      ])
      const result = await client.callTool({ name: 'devtune_list_webhooks', arguments: {} })
      expect(result.structuredContent).toEqual({ webhooks: [] })
    } finally {
      await client.close()
    }
  })

  it('takes the key from KEYWARD_API_KEY, and a revoked key fails the next call', async () => {
    const created = await world.keyward.services.keys.create(
      { kind: 'operator' },
      { projectId: world.project.id, name: 'bridge' },
    )
    const client = await stdioClient([], { KEYWARD_API_KEY: created.key })
    try {
      expect((await client.listTools()).tools.length).toBeGreaterThan(0)
      await world.keyward.services.keys.revoke({ kind: 'operator' }, { keyId: created.id })
      await expect(client.listTools()).rejects.toThrow(/401/)
    } finally {
      await client.close()
    }
  })
})
