import { execFile, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs `keyward ARGS` as a user would, in a child process. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/keyward.js', ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}

export async function runCliJson<T = Record<string, unknown>>(
  args: string[],
  env: Record<string, string>,
): Promise<T> {
  const result = await runCli([...args, '--json'], env)
  if (result.code !== 0) throw new Error(`keyward ${args.join(' ')} failed: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

/** Starts a long-running command and resolves with it once a stdout line matches. */
export function startUntil(command: string, args: string[], env: Record<string, string>, ready: RegExp) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, detached: true })
  const lines: string[] = []
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const matched = new Promise<RegExpMatchArray>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line)
      const match = line.match(ready)
      if (match) resolve(match)
    })
    exited.then((code) => reject(new Error(`exited with ${code} before ready: ${stderr}`)))
  })
  return { child, lines, matched, exited, stderr: () => stderr }
}
