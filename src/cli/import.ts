import { readFileSync } from 'node:fs'
import { badRequest } from '../core/errors.ts'
import { operator } from '../core/model.ts'
import type { Keyward } from '../main.ts'
import { printJson } from './output.ts'

/** `keyward import --project ID FILE.json`: the file is read and validated whole; a bad one changes nothing. */
export async function importFile(
  keyward: Keyward,
  options: { project: string; json?: boolean },
  file: string,
) {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw badRequest(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (error) {
    throw badRequest(`${file}: invalid JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  const result = await keyward.services.analytics.importTrackingResults(operator, {
    projectId: options.project,
    file: document,
  })
  if (options.json) return printJson(result)
  process.stdout.write(
    `Imported ${result.importedResults} tracking results (${result.startDate} to ${result.endDate}) into project ${options.project}.\n` +
      `30-day share of voice ${result.visibility.previous.shareOfVoice} → ${result.visibility.current.shareOfVoice}, ` +
      `presence rate ${result.visibility.previous.presenceRate} → ${result.visibility.current.presenceRate}.\n`,
  )
}
