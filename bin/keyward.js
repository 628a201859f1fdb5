#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between a change and the CLI.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
