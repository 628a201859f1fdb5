#!/usr/bin/env node
// `keyward mcp` is spawned by MCP clients that wait for its first answer: it is plain JavaScript and starts without
// the TypeScript loader or the rest of the CLI (whose help still describes it).
const [command, ...rest] = process.argv.slice(2)
if (command === 'mcp' && !rest.some((arg) => arg === '--help' || arg === '-h')) {
  const { mcpCommand } = await import('../src/cli/mcp-bridge.js')
  await mcpCommand(rest)
} else {
  // Everything else runs the TypeScript sources directly through tsx's loader: no build step between a change and
  // the CLI.
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/cli/run.ts')
}
