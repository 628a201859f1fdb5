import { readFileSync } from 'node:fs'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiWorld } from './support/api.ts'
import { mcpUrl } from './support/mcp.ts'

type World = Awaited<ReturnType<typeof apiWorld>>
let world: World
let url: string
let key: string
beforeAll(async () => {
  world = await apiWorld()
  url = await mcpUrl(world.app)
  key = await world.mint(world.project.id, { scopes: ['visibility.read', 'webhooks.read'] })
})
afterAll(() => world.close())

/** The example as a user has it after replacing its placeholders (examples/mcp-client-config/README.md). */
function filledIn(file: string) {
  const text = readFileSync(`examples/mcp-client-config/${file}`, 'utf8')
  expect(text).toContain('dtk_live_…')
  const config = JSON.parse(
    text
      .replaceAll('/path/to/keyward', process.cwd())
      .replaceAll('http://localhost:3000/api/mcp', url)
      .replaceAll('dtk_live_…', key),
  ) as { mcpServers: Record<string, Record<string, unknown>> }
  expect(Object.keys(config.mcpServers)).toEqual(['keyward'])
  return config.mcpServers.keyward as Record<string, unknown>
}

async function listedBy(transport: StdioClientTransport | StreamableHTTPClientTransport) {
  const client = new Client({ name: 'example-config', version: '1.0.0' })
  await client.connect(transport) // initialize, answered
  try {
    expect(client.getServerVersion()?.name).toBe('keyward')
    return (await client.listTools()).tools.map((t) => t.name).sort()
  } finally {
    await client.close()
  }
}

describe('examples/mcp-client-config', () => {
  it('claude-desktop.json: the command it names starts the bridge, which answers initialize', async () => {
    const server = filledIn('claude-desktop.json') as {
      command: string
      args: string[]
      env: Record<string, string>
    }
    expect(server.command).toBe('node')
    const tools = await listedBy(
      // As Claude Desktop spawns it: the command, its arguments, the given environment and little else.
      new StdioClientTransport({
        command: server.command === 'node' ? process.execPath : server.command,
        args: server.args,
        env: { PATH: process.env.PATH ?? '', ...server.env },
        stderr: 'pipe',
        cwd: '/',
      }),
    )
    expect(tools).toContain('devtune_list_webhooks')
    expect(tools).toContain('devtune_get_visibility_summary')
  })

  it('cursor.json: the URL and header reach the HTTP endpoint directly', async () => {
    const server = filledIn('cursor.json') as { url: string; headers: Record<string, string> }
    const tools = await listedBy(
      new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers } }),
    )
    expect(tools).toContain('devtune_list_webhooks')
  })

  it('vscode.json: type http, and the URL and the key VS Code asks for reach the HTTP endpoint', async () => {
    const text = readFileSync('examples/mcp-client-config/vscode.json', 'utf8')
    const config = JSON.parse(
      // What VS Code does with `${input:keyward-key}` once the user has typed the key at its prompt.
      text.replaceAll('http://localhost:3000/api/mcp', url).replace(/\$\{input:keyward-key\}/g, key),
    ) as {
      inputs: { id: string; password?: boolean }[]
      servers: Record<string, { type: string; url: string; headers: Record<string, string> }>
    }
    expect(config.inputs.map((input) => [input.id, input.password])).toEqual([['keyward-key', true]])
    expect(Object.keys(config.servers)).toEqual(['keyward'])
    const server = config.servers.keyward
    expect(server?.type).toBe('http')
    const tools = await listedBy(
      new StreamableHTTPClientTransport(new URL(server?.url ?? ''), {
        requestInit: { headers: server?.headers ?? {} },
      }),
    )
    expect(tools).toContain('devtune_list_webhooks')
  })
})
