import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiWorld } from './support/api.ts'
import { runCli } from './support/cli.ts'
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

/** A loopback URL nothing listens on: a port the OS handed out and took back. */
async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}/api/mcp`
}

/** `keyward mcp` with raw stdio: each line written is one message, each answer line is collected. */
function rawBridge(target: string, key: string) {
  const child = spawn(process.execPath, ['bin/keyward.js', 'mcp', '--url', target, '--key', key])
  const answers: Array<{ id: unknown; error?: { code: number; message: string } }> = []
  const waiters: Array<() => void> = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    answers.push(JSON.parse(line))
    for (const wake of waiters.splice(0)) wake()
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  return {
    send: (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`),
    async answerTo(id: number) {
      for (;;) {
        const found = answers.find((a) => a.id === id)
        if (found) return found
        await new Promise<void>((resolve) => waiters.push(resolve))
      }
    },
    /** Ends stdin, as a client does when it quits, and waits for the bridge to exit. */
    async end() {
      child.stdin.end()
      return { code: await exited, stderr }
    },
  }
}

const initialize = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
})

describe('keyward mcp when something is wrong', () => {
  it('with the server down, answers every request naming the URL and ECONNREFUSED, and says so once', async () => {
    const target = await closedPortUrl()
    const bridge = rawBridge(target, await world.mint(world.project.id))
    bridge.send(initialize(1))
    const first = await bridge.answerTo(1)
    bridge.send(initialize(2))
    const second = await bridge.answerTo(2)
    const expected = `Keyward is not reachable at ${target} (ECONNREFUSED); is keyward serve running there?`
    expect(first).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: expected } })
    expect(second.error?.message).toBe(expected)
    const { code, stderr } = await bridge.end()
    expect(code).toBe(0)
    expect(stderr).toBe(`keyward mcp: ${expected}\n`)
  })

  it('with a bad key, answers initialize with a short JSON-RPC error and stays up for the next request', async () => {
    const bridge = rawBridge(url, `dtk_live_${'0'.repeat(64)}`)
    bridge.send(initialize(1))
    const message =
      'Keyward refused the API key: HTTP 401 Invalid or missing API key (check KEYWARD_API_KEY or --key)'
    expect(await bridge.answerTo(1)).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32001, message } })
    bridge.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' })
    expect((await bridge.answerTo(2)).error?.message).toBe(message)
    expect(await bridge.end()).toEqual({ code: 0, stderr: `keyward mcp: ${message}\n` })
  })

  it('the SDK client sees the reason of a bad key when it connects, not a disconnection', async () => {
    await expect(stdioClient(['--key', 'dtk_live_nope'])).rejects.toThrow(
      'MCP error -32001: Keyward refused the API key: HTTP 401 Invalid or missing API key (check KEYWARD_API_KEY or --key)',
    )
  })

  it('refuses to start without a key or with a bad URL, and keyward mcp --help describes it', async () => {
    const noKey = await runCli(['mcp', '--url', url], { KEYWARD_API_KEY: '' })
    expect(noKey).toMatchObject({
      code: 1,
      stderr: 'keyward: An API key is required: --key or KEYWARD_API_KEY\n',
    })
    const badUrl = await runCli(['mcp', '--url', 'localhost:3000', '--key', 'k'], {})
    expect(badUrl.stderr).toMatch(/Invalid --url localhost:3000/)
    const help = await runCli(['mcp', '--help'], {})
    expect(help.stdout).toMatch(/--url <url>/)
    expect(help.stdout).toMatch(/KEYWARD_API_KEY/)
  })
})
