import { once } from 'node:events'
import { badRequest, notFound } from '../core/errors.ts'
import { exportFormats, isExportFormat } from '../core/export-format.ts'
import { operator } from '../core/model.ts'
import { type ExportStream, parseInstant } from '../core/read-models/export.ts'
import type { Keyward } from '../main.ts'

export interface ExportOptions {
  account: string
  since?: string
  until?: string
  format: string
  json?: boolean
}

/**
 * `keyward activity export` and `keyward history export`: an account's Agent Activity or management history on
 * stdout, newest first. Everything is checked before the first line is written, so a bad option leaves stdout empty.
 */
export async function exportToStdout(keyward: Keyward, kind: 'activity' | 'history', o: ExportOptions) {
  if (!isExportFormat(o.format))
    throw badRequest(`Invalid --format ${o.format}: one of ${exportFormats.join(', ')}`)
  const input = {
    accountId: o.account,
    from: parseInstant('--since', o.since),
    to: parseInstant('--until', o.until),
    format: o.format,
  }
  if (!(await keyward.storage.accounts.findById(o.account))) throw notFound('Account')
  const stream =
    kind === 'activity'
      ? await keyward.queries.exportActivity(operator, input)
      : await keyward.queries.exportHistory(operator, input)
  await writeWithBackpressure(stream)
}

/** A page is written only once stdout has taken the previous one (a pipe to a slow reader holds us to one page). */
async function writeWithBackpressure({ chunks }: ExportStream) {
  for await (const chunk of chunks) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain')
  }
}
