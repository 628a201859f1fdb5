import { open, readdir, readFile, stat } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import ignore, { type Ignore } from 'ignore'
import { badRequest } from '../core/errors.ts'
import { acceptLeakReports } from '../core/exposures.ts'
import type { KeyFormat } from '../core/key-format.ts'
import { findKeys } from '../core/key-scan.ts'
import type { Keyward } from '../main.ts'
import { printJson } from './output.ts'

/** Directories never worth scanning: history and dependencies. */
const skippedDirectories = new Set(['.git', 'node_modules'])
/** Larger files are not source: skipped. */
const maxFileBytes = 10 * 1024 * 1024

export interface Finding {
  file: string
  line: number
  column: number
  /** The key's display prefix (prefix + 4 hex), never the key. */
  prefix: string
  /** With --report: whether it is a live key of this installation, now reported as exposed. */
  reported?: boolean
}

interface Rules {
  base: string
  rules: Ignore
}

async function gitignoreIn(dir: string): Promise<Rules | undefined> {
  const text = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => undefined)
  return text === undefined ? undefined : { base: dir, rules: ignore().add(text) }
}

const ignoredBy = (stack: readonly Rules[], path: string, isDirectory: boolean) =>
  stack.some(({ base, rules }) => {
    const relativePath = relative(base, path).split(sep).join('/')
    return rules.ignores(isDirectory ? `${relativePath}/` : relativePath)
  })

/**
 * The files under `path`, in a stable order: `.git` and `node_modules` skipped, every `.gitignore` on the way obeyed
 * (as git does, each for its own directory and below), symbolic links not followed. A file named directly is scanned
 * whatever the ignore files say.
 */
async function* filesUnder(path: string, stack: readonly Rules[] = []): AsyncGenerator<string> {
  const info = await stat(path).catch(() => undefined)
  if (!info) throw badRequest(`No such file or directory: ${path}`)
  if (info.isFile()) {
    yield path
    return
  }
  if (!info.isDirectory()) return
  const local = await gitignoreIn(path)
  const rules = local ? [...stack, local] : stack
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))
  for (const entry of entries) {
    const child = join(path, entry.name)
    if (entry.isDirectory()) {
      if (skippedDirectories.has(entry.name) || ignoredBy(rules, child, true)) continue
      yield* filesUnder(child, rules)
    } else if (entry.isFile() && !ignoredBy(rules, child, false)) yield child
  }
}

/** Text files only: one with a NUL byte in its first 8 KB is taken as binary, as git does. */
async function textOf(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r')
  try {
    const { size } = await handle.stat()
    if (size > maxFileBytes) return undefined
    const content = await handle.readFile()
    if (content.subarray(0, 8192).includes(0)) return undefined
    return content.toString('utf8')
  } finally {
    await handle.close()
  }
}

export async function scanPaths(paths: readonly string[], format: KeyFormat) {
  const findings: Array<Finding & { key: string }> = []
  for (const path of paths) {
    for await (const file of filesUnder(path)) {
      const text = await textOf(file)
      if (text === undefined) continue
      for (const found of findKeys(text, format))
        findings.push({
          file,
          line: found.line,
          column: found.column,
          prefix: format.displayPrefix(found.key),
          key: found.key,
        })
    }
  }
  return findings
}

/**
 * `keyward scan PATH…`: prints `file:line prefix…` for each key found (never the key) and exits 1 when any is found,
 * so that a pre-commit hook stops the commit. `report` marks the live keys of this installation as exposed, as a
 * GitHub report would, and acts at once.
 */
export async function scanCommand(
  paths: readonly string[],
  options: { json?: boolean; format: KeyFormat; keyward?: Keyward },
): Promise<number> {
  const found = await scanPaths(paths, options.format)
  let reported = 0
  const findings: Finding[] = found.map(({ key: _, ...finding }) => finding)
  if (options.keyward && found.length > 0) {
    const verdicts = await acceptLeakReports(
      options.keyward.exposureDeps,
      'keyward-scan',
      found.map((f) => ({
        token: f.key,
        type: 'keyward_api_key',
        url: `${resolve(f.file)}:${f.line}`,
        source: 'keyward-scan',
      })),
    )
    verdicts.forEach((verdict, i) => {
      const finding = findings[i]
      if (finding) finding.reported = verdict.live
    })
    await options.keyward.exposures.drain()
    reported = verdicts.filter((v) => v.live).length
  }
  if (options.json) printJson({ findings, ...(options.keyward ? { reported } : {}) })
  else {
    for (const f of findings) {
      const note =
        f.reported === undefined ? '' : f.reported ? '  (key of this installation: reported as exposed)' : ''
      process.stdout.write(`${f.file}:${f.line} ${f.prefix}…${note}\n`)
    }
    const summary =
      findings.length === 0
        ? 'No API keys found.\n'
        : `${findings.length} API key${findings.length === 1 ? '' : 's'} found${options.keyward ? `; ${reported} of this installation reported as exposed` : ''}.\n`
    process.stderr.write(summary)
  }
  return findings.length > 0 ? 1 : 0
}
