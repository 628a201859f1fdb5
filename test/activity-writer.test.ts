import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { composeKeyward } from '../src/main.ts'

const dir = mkdtempSync(join(tmpdir(), 'keyward-writer-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/**
 * On a SQLite file, activity rows are written by a worker thread. A process that records rows and closes, with nothing
 * else keeping it alive, must still see them written before it exits (an idle writer does not hold the process; one
 * with rows in hand does).
 */
describe('the activity writer thread', () => {
  it('writes the last rows of a process that closes right after recording them', async () => {
    const database = join(dir, 'keyward.db')
    const script = join(dir, 'record.mts')
    writeFileSync(
      script,
      `import { loadConfig } from '${join(process.cwd(), 'src/config.ts')}'
import { composeKeyward } from '${join(process.cwd(), 'src/main.ts')}'
const keyward = await composeKeyward(loadConfig({ DATABASE_URL: ${JSON.stringify(database)} }))
for (let i = 0; i < 1500; i++)
  keyward.activity.record({ at: Date.now(), accountId: null, projectId: null, keyId: null, method: 'GET', route: null,
    path: '/api/v2/x', status: 401, scope: null, latencyMs: 1, errorCode: 'unauthorized', rateLimited: false,
    authFailure: 'missing', clientIp: null, userAgent: null })
await keyward.close()
`,
    )
    await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd() })
    const keyward = await composeKeyward(loadConfig({ DATABASE_URL: database }))
    try {
      const rows = await keyward.database.db.selectFrom('activity').select('id').execute()
      expect(rows).toHaveLength(1500)
    } finally {
      await keyward.close()
    }
  })
})
