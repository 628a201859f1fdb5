import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { servedKeyward } from './support/served.ts'

let served: Awaited<ReturnType<typeof servedKeyward>>
beforeAll(async () => {
  served = await servedKeyward()
})
afterAll(() => served?.close())

it('passes redocly lint (recommended rules) with 0 errors and 0 warnings, as served', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['node_modules/@redocly/cli/bin/cli.js', 'lint', `${served.apiRoot}/openapi.json`, '--format=json'],
    { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
  )
  const report = JSON.parse(stdout.slice(stdout.indexOf('{')))
  expect(report.problems).toEqual([])
  expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
}, 120_000)
