#!/usr/bin/env node
// Runs the compiled server (dist/, `npm run build:server`, which `npm ci` runs through `prepare`) when it is at least
// as new as every source file: it starts on about half the CPU time (docs/benchmarks.md). Otherwise — no build, or a
// source edited since — it runs the TypeScript sources through tsx's loader, so a change never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))
const sources = fileURLToPath(new URL('../src', import.meta.url))

function newestSourceMs(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    const ms = entry.isDirectory() ? newestSourceMs(path) : statSync(path).mtimeMs
    if (ms > newest) newest = ms
  }
  return newest
}

if (existsSync(compiled) && statSync(compiled).mtimeMs >= newestSourceMs(sources)) {
  await import(compiled)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/cli/main.ts')
}
