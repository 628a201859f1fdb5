import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeyFormat } from '../src/core/key-format.ts'
import { runCli, runCliJson } from './support/cli.ts'

const format = createKeyFormat()
/** A key of the right shape whose last checksum digit is wrong: a scanner must not flag it. */
const withBadChecksum = (key: string) => `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`

let dir: string
let tree: string
const env = () => ({ DATABASE_URL: join(dir, 'keyward.db'), LOG_LEVEL: 'warn' })

async function put(path: string, text: string) {
  await mkdir(dirname(join(tree, path)), { recursive: true })
  await writeFile(join(tree, path), text)
}

/** A repository-like tree: a key in a tracked file and the same in every place the scan must skip. */
async function fixtureTree(committed: string[]) {
  tree = await mkdtemp(join(dir, 'tree-'))
  const hidden = format.generate()
  await put('.gitignore', 'secrets/\n*.local\n')
  await put('src/config.ts', `export const apiKey =\n  '${committed[0]}'\n`)
  await put('docs/notes.md', `# Notes\n\nno key here, only ${withBadChecksum(format.generate())}\n`)
  for (const [i, key] of committed.slice(1).entries()) await put(`deploy/env-${i}.txt`, `KEY=${key}\n`)
  await put('secrets/prod.env', `KEY=${hidden}\n`)
  await put('app/.env.local', `KEY=${hidden}\n`)
  await put('app/.gitignore', 'generated.txt\n')
  await put('app/generated.txt', `KEY=${hidden}\n`)
  await put('node_modules/pkg/index.js', `'${hidden}'\n`)
  await put('.git/COMMIT_EDITMSG', `${hidden}\n`)
  await put('image.bin', `\0\0${hidden}`)
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyward-scan-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('keyward scan', () => {
  it('prints file:line and the prefix of each key, skipping ignored files, and exits 1', async () => {
    const key = format.generate()
    await fixtureTree([key])
    const result = await runCli(['scan', tree], env())
    expect(result.code).toBe(1)
    expect(result.stdout).toBe(`${join(tree, 'src/config.ts')}:2 ${key.slice(0, 13)}…\n`)
    expect(result.stdout).not.toContain(key)
    expect(result.stderr).toBe('1 API key found.\n')
  })

  it('exits 0 when only look-alikes with a bad checksum are there', async () => {
    await fixtureTree([withBadChecksum(format.generate())])
    const result = await runCli(['scan', join(tree, 'src'), join(tree, 'docs')], env())
    expect(result).toEqual({ code: 0, stdout: '', stderr: 'No API keys found.\n' })
  })

  it('--json lists the findings for machines', async () => {
    const [a, b] = [format.generate(), format.generate()]
    await fixtureTree([a, b])
    const result = await runCli(['scan', '--json', tree], env())
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stdout)).toEqual({
      findings: [
        { file: join(tree, 'deploy/env-0.txt'), line: 1, column: 5, prefix: b.slice(0, 13) },
        { file: join(tree, 'src/config.ts'), line: 2, column: 4, prefix: a.slice(0, 13) },
      ],
    })
  })

  it('scans a file named directly even if .gitignore lists it; a missing path is an error', async () => {
    await fixtureTree([format.generate()])
    const named = await runCli(['scan', join(tree, 'secrets/prod.env')], env())
    expect(named.code).toBe(1)
    expect(named.stdout).toContain('secrets/prod.env:1 dtk_live_')
    const missing = await runCli(['scan', join(tree, 'nope')], env())
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe(`keyward: No such file or directory: ${join(tree, 'nope')}\n`)
  })

  it('--report marks the keys of this installation as exposed and revokes them', async () => {
    const account = await runCliJson<{ id: string }>(['account', 'create', '--name', 'Scan'], env())
    const project = await runCliJson<{ id: string }>(
      ['project', 'create', '--account', account.id, '--name', 'P'],
      env(),
    )
    const created = await runCliJson<{ id: string; key: string }>(
      ['key', 'create', '--project', project.id, '--name', 'leaky'],
      env(),
    )
    const kept = await runCliJson<{ id: string }>(
      ['key', 'create', '--project', project.id, '--name', 'kept'],
      env(),
    )
    const foreign = format.generate() // right format, but no key of this installation
    await fixtureTree([created.key, foreign])

    const result = await runCli(['scan', '--report', '--json', tree], env())
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stdout)).toEqual({
      findings: [
        expect.objectContaining({ file: join(tree, 'deploy/env-0.txt'), reported: false }),
        expect.objectContaining({ file: join(tree, 'src/config.ts'), reported: true }),
      ],
      reported: 1,
    })

    const keys = await runCliJson<Array<{ id: string; status: string; exposedUrl: string | null }>>(
      ['key', 'list', '--account', account.id],
      env(),
    )
    expect(keys.find((k) => k.id === created.id)).toMatchObject({
      status: 'exposed',
      exposedUrl: `${join(tree, 'src/config.ts')}:2`,
    })
    expect(keys.find((k) => k.id === kept.id)?.status).toBe('active')
    const shown = await runCliJson<{ revokedAt: string | null }>(['key', 'show', created.id], env())
    expect(shown.revokedAt).not.toBeNull()

    const text = await runCli(['scan', '--report', join(tree, 'src')], env())
    expect(text.code).toBe(1)
    expect(text.stdout).toContain('src/config.ts:2 dtk_live_')
    expect(text.stderr).toBe('1 API key found; 0 of this installation reported as exposed.\n')
  })
})
