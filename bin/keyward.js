#!/usr/bin/env node
import { existsSync, readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// `keyward mcp` is spawned by MCP clients that wait for its first answer: it is plain JavaScript and starts without
// the TypeScript loader or the rest of the CLI (whose help still describes it).
const [command, ...rest] = process.argv.slice(2)
if (command === 'mcp' && !rest.some((arg) => arg === '--help' || arg === '-h')) {
  const { mcpCommand } = await import('../src/cli/mcp-bridge.js')
  await mcpCommand(rest)
} else {
  await runCli()
}

/**
 * Runs the compiled CLI (dist/, `npm run build:server`, which `npm ci` runs through `prepare`) when it is at least as
 * new as every source file: it starts on about half the CPU time (docs/benchmarks.md). Otherwise — no build, or a
 * source edited since — it runs the TypeScript sources through tsx's loader, so a change never runs stale code.
 */
async function runCli() {
  const compiled = fileURLToPath(new URL('../dist/cli/run.js', import.meta.url))
  const sources = fileURLToPath(new URL('../src', import.meta.url))
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= newestSourceMs(sources)) {
    await import(compiled)
  } else {
    const { register } = await import('tsx/esm/api')
    register()
    await import('../src/cli/run.ts')
  }
}

function newestSourceMs(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    const ms = entry.isDirectory() ? newestSourceMs(path) : statSync(path).mtimeMs
    if (ms > newest) newest = ms
  }
  return newest
}
