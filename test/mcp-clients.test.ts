import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiWorld } from './support/api.ts'
import { authProxy } from './support/auth-proxy.ts'
import { mcpUrl } from './support/mcp.ts'

const run = promisify(execFile)
type World = Awaited<ReturnType<typeof apiWorld>>
let world: World
let url: string
let key: string
beforeAll(async () => {
  world = await apiWorld()
  // localhost, not 127.0.0.1: the conformance suite's DNS-rebinding scenario sends a localhost Host and Origin.
  url = (await mcpUrl(world.app)).replace('127.0.0.1', 'localhost')
  key = await world.mint(world.project.id)
})
afterAll(() => world.close())

describe('third-party MCP clients', () => {
  it('the MCP Inspector CLI lists and calls tools with the key as a header', async () => {
    // The v1 CLI looks for ../package.json relative to the working directory, so it runs from a subfolder.
    const inspector = [
      '../node_modules/@modelcontextprotocol/inspector-cli/build/index.js',
      url,
      '--transport',
      'http',
    ]
    const header = ['--header', `Authorization: Bearer ${key}`]
    const listed = await run(process.execPath, [...inspector, '--method', 'tools/list', ...header], {
      cwd: 'test',
    })
    const names = JSON.parse(listed.stdout).tools.map((t: { name: string }) => t.name)
    expect(names).toContain('devtune_list_webhooks')
    const called = await run(
      process.execPath,
      [...inspector, '--method', 'tools/call', '--tool-name', 'devtune_list_webhooks', ...header],
      { cwd: 'test' },
    )
    expect(JSON.parse(called.stdout).structuredContent).toEqual({ webhooks: [] })
    const refused = await run(process.execPath, [...inspector, '--method', 'tools/list'], {
      cwd: 'test',
    }).catch((error: { code: number; stderr: string }) => error)
    expect(refused).toMatchObject({ code: 1 })
  })

  it('passes the MCP conformance suite in server mode, apart from the baseline of fixture-only scenarios', async () => {
    const proxy = await authProxy(url, key)
    const results = mkdtempSync(join(tmpdir(), 'keyward-conformance-'))
    try {
      const conformance = 'node_modules/@modelcontextprotocol/conformance/dist/index.js'
      const args = [
        'server',
        '--url',
        proxy.url,
        '--expected-failures',
        'test/mcp-conformance-baseline.yml',
        '-o',
        results,
      ]
      const outcome = await run(process.execPath, [conformance, ...args]).catch(
        (error: { code: number; stdout: string }) => error,
      )
      expect(outcome.stdout).toMatch(/dns-rebinding-protection: 2 passed, 0 failed/)
      expect(outcome.stdout).toMatch(/tools-list: 1 passed, 0 failed/)
      expect('code' in outcome ? outcome.code : 0).toBe(0)
    } finally {
      await proxy.close()
      rmSync(results, { recursive: true, force: true })
    }
  })
})
