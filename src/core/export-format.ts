/**
 * The two file formats of the audit exports. A record is a flat object of strings, numbers, booleans and nulls;
 * every record of one export has the same fields, in the same order, which become the CSV header.
 */
export const exportFormats = ['ndjson', 'csv'] as const
export type ExportFormat = (typeof exportFormats)[number]

/** An object (a history event's details) is nested in NDJSON and written as its JSON text in CSV. */
export type ExportValue = string | number | boolean | null | { readonly [key: string]: unknown }
export type ExportRecord = Record<string, ExportValue>

export const isExportFormat = (value: string): value is ExportFormat =>
  (exportFormats as readonly string[]).includes(value)

export const exportContentType: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
}

/**
 * RFC 4180: a field with a comma, a double quote, CR or LF is quoted, its quotes doubled. A field starting with
 * `=`, `+`, `-`, `@` or a tab is also quoted and prefixed with `'`, so that a spreadsheet opening the file does not
 * run a caller-chosen path or user agent as a formula (OWASP "CSV injection"); numbers are never text, so a negative
 * number cannot occur in a text field by accident.
 */
export function csvField(value: ExportValue): string {
  if (value === null) return ''
  if (typeof value === 'object') return csvField(JSON.stringify(value))
  if (typeof value !== 'string') return String(value)
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) || text !== value ? `"${text.replaceAll('"', '""')}"` : text
}

const csvLine = (values: readonly ExportValue[]) => `${values.map(csvField).join(',')}\r\n`

/**
 * Turns pages of records into the text of the file, one string per page: the consumer (an HTTP response or stdout)
 * pulls the next page only after taking this one, so at most one page is ever held, however long the export.
 */
export async function* encodeExport(
  pages: AsyncIterable<readonly ExportRecord[]>,
  format: ExportFormat,
  columns: readonly string[],
): AsyncGenerator<string> {
  if (format === 'csv') yield csvLine(columns)
  for await (const page of pages) {
    if (page.length === 0) continue
    yield format === 'csv'
      ? page.map((record) => csvLine(columns.map((c) => record[c] ?? null))).join('')
      : page.map((record) => `${JSON.stringify(record)}\n`).join('')
  }
}

/** `activity-<account>-<yyyymmddThhmmssZ>.csv`: safe in a Content-Disposition header and in any file system. */
export function exportFileName(kind: string, accountId: string, at: number, format: ExportFormat): string {
  const stamp = new Date(at).toISOString().replace(/[-:]|\.\d{3}/g, '')
  return `${kind}-${accountId.replace(/[^A-Za-z0-9_-]/g, '_')}-${stamp}.${format}`
}
