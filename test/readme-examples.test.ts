import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startUntil } from './support/cli.ts'
import { fillIn, placeholdersOf, shellExamples } from './support/readme.ts'

// Every example runs child processes (curl, node, the CLI) against a real server: generous on a shared machine.
vi.setConfig({ testTimeout: 900_000 })

const examples = shellExamples(readFileSync('README.md', 'utf8'))
const repo = process.cwd()
let dir: string
let workDir: string
let server: ReturnType<typeof startUntil>
let url: string
let values: Record<string, string>
let env: Record<string, string>

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyward-readme-'))
  // Inside the checkout, so that `npx keyward` finds Keyward as the reader's shell does; the files examples write
  // land here, and the folder goes afterwards (.gitignore has it, should a run be killed).
  workDir = mkdtempSync(join(repo, '.readme-run-'))
  env = { DATABASE_URL: join(dir, 'keyward.db'), LOG_LEVEL: 'warn' }
  server = startUntil(
    process.execPath,
    ['bin/keyward.js', 'serve', '--demo', '--json'],
    { ...env, PORT: '0', HOST: '127.0.0.1' },
    /^\{.*"url".*\}$/,
  )
  const [line = ''] = await server.matched
  const started = JSON.parse(line) as { url: string; demo: { key: { key: string; projectId: string } } }
  url = started.url
  // What the reader pastes where an example has `…`: what `npm start` printed, and where Keyward is checked out.
  values = {
    KEY: started.demo.key.key,
    PROJECT: started.demo.key.projectId,
    API: `${url}/api/v2`,
    KEYWARD_DIR: repo,
  }
}, 120_000)

afterAll(async () => {
  if (server?.child.pid) process.kill(-server.child.pid, 'SIGTERM')
  await server?.exited
  rmSync(dir, { recursive: true, force: true })
  rmSync(workDir, { recursive: true, force: true })
})

/**
 * Runs one example in bash, stopping at the first failing command or unset variable. An example that needs the
 * checkout (`npx keyward`, `npm`) runs inside it; any other runs from a folder outside it, as "from any folder"
 * promises (the Inspector's CLI, started from a folder with no package.json above, is the case that matters).
 */
function runExample(code: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = /\bnpx keyward\b|\bnpm /.test(code) ? workDir : dir
  // Names an example must set itself: none of the placeholders may leak in from the test's own environment.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !(name in values)))
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-euo', 'pipefail', '-c', code],
      { cwd, env: { ...clean, ...env }, timeout: 240_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

describe('README shell examples', () => {
  it('finds the examples, and each skipped one says why', () => {
    expect(examples.filter((e) => !e.skip).length).toBeGreaterThanOrEqual(6)
    for (const example of examples.filter((e) => e.skip !== undefined))
      expect(example.skip, `line ${example.line}`).toMatch(/\w{3,}/)
  })

  it.each(examples.filter((e) => !e.skip).map((e) => [e.line, e] as const))(
    'the example at README line %i runs as written',
    async (_line, example) => {
      const filled = fillIn(example.code, values, url)
      const result = await runExample(filled)
      expect(result.code, `${filled}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`).toBe(0)
      const output = result.stdout + result.stderr
      expect(output).not.toMatch(/internal_error|Unexpected token|command not found/)
      // Every name the example uses is one it sets (as a placeholder, or from a command).
      for (const name of placeholdersOf(example.code)) expect(Object.keys(values)).toContain(name)
      if (example.code.includes('keyward import')) {
        // Dated today, so it falls inside the 30-day window the summary reads. Whether the printed share moves
        // depends on how many runs the demo made: one result among thousands can stay below the last digit.
        const today = new Date().toISOString().slice(0, 10)
        expect(result.stdout).toMatch(new RegExp(`Imported 1 tracking results \\(${today} to ${today}\\)`))
        expect(result.stdout).toMatch(/30-day share of voice [\d.]+ → [\d.]+/)
      }
      if (example.code.includes('inspector-cli')) {
        expect(JSON.parse(result.stdout).structuredContent).toMatchObject({ window: { days: 30 } })
      }
      if (example.code.includes('devtune_list_webhooks')) {
        expect(JSON.parse(result.stdout)).toMatchObject({
          jsonrpc: '2.0',
          id: 1,
          result: { structuredContent: { webhooks: expect.any(Array) } },
        })
      }
    },
  )
})
