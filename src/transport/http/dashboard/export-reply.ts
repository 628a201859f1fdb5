import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'
import { z } from 'zod'
import {
  type ExportFormat,
  exportContentType,
  exportFileName,
  exportFormats,
} from '../../../core/export-format.ts'
import type { ExportStream } from '../../../core/read-models/export.ts'

export const exportFormat = z.object({ format: z.enum(exportFormats).default('csv') })

/**
 * Sends an export as a download, a page of rows at a time: `Readable.from` pulls the next page only when the socket
 * has taken the last one (backpressure), so a slow client holds the server to one page, not to the whole file.
 */
export function sendExport(
  reply: FastifyReply,
  stream: ExportStream,
  file: { kind: string; accountId: string; at: number; format: ExportFormat },
) {
  const name = exportFileName(file.kind, file.accountId, file.at, file.format)
  return reply
    .header('content-type', exportContentType[file.format])
    .header('content-disposition', `attachment; filename="${name}"`)
    .send(Readable.from(stream.chunks, { objectMode: false }))
}
