import type { KeyObject } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { messages } from '../../core/errors.ts'
import type { LeakReport, LeakVerdict } from '../../core/exposures.ts'
import { verifyPartnerSignature } from '../../core/partner-keyring.ts'
import { sendError } from '../error-envelope.ts'

/** GitHub's limits for a partner endpoint, as issue 16 sets them: beyond either, the report is refused. */
export const maxReportBytes = 1024 * 1024
export const maxReportTokens = 1000

export interface SecretScanningDeps {
  /** GitHub's public key with this identifier (fetched and cached), or undefined when it lists none such. */
  keyFor(identifier: string): Promise<KeyObject | undefined>
  /** Labels the tokens and queues the live ones; resolves once the queue rows are committed. */
  accept(reports: LeakReport[]): Promise<LeakVerdict[]>
  /** Runs after the answer is sent: acts on what was queued (revocation, History). */
  afterReply(): void
}

const reportSchema = z.array(
  z.object({
    token: z.string(),
    type: z.string().optional(),
    url: z.string().nullish(),
    source: z.string().nullish(),
  }),
)

/** Requests that queued a live key: only they wake the worker, so refused floods cost no database work. */
const queuedBy = new WeakSet<object>()

const unauthorized = 'Invalid or missing GitHub secret scanning signature'

/**
 * `POST /api/secret-scanning/github`: GitHub's secret scanning partner protocol. The raw body must carry a valid
 * `Github-Public-Key-Signature` by the key `Github-Public-Key-Identifier` names, or it is refused with 401 before it
 * is even parsed; so is a body over 1 MB or with more than 1,000 tokens. The answer labels each token and is sent
 * before the slow work (revoking, History) runs.
 */
export async function registerSecretScanning(app: FastifyInstance, deps: SecretScanningDeps) {
  await app.register(async (scope) => {
    // The signature covers the exact bytes GitHub sent: keep them, whatever the content type says.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxReportBytes }, (_req, body, done) =>
      done(null, body),
    )
    scope.setErrorHandler((error: { code?: string }, request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 'unauthorized', unauthorized)
      request.log.error({ err: error }, 'secret scanning report failed')
      return sendError(reply, 'internal_error', messages.internal)
    })
    scope.post(
      '/api/secret-scanning/github',
      {
        schema: { hide: true },
        bodyLimit: maxReportBytes,
        onResponse: (request, _reply, done) => {
          if (queuedBy.has(request)) deps.afterReply()
          done()
        },
      },
      async (request, reply) => {
        const identifier = request.headers['github-public-key-identifier']
        const signature = request.headers['github-public-key-signature']
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
        if (typeof identifier !== 'string' || typeof signature !== 'string' || body.length === 0)
          return sendError(reply, 'unauthorized', unauthorized)
        const key = await deps.keyFor(identifier)
        if (!key || !verifyPartnerSignature(key, body, signature))
          return sendError(reply, 'unauthorized', unauthorized)

        const parsed = reportSchema.safeParse(parseJson(body))
        if (!parsed.success)
          return sendError(
            reply,
            'bad_request',
            'The body must be a JSON array of {token, type, url, source}',
          )
        if (parsed.data.length > maxReportTokens) return sendError(reply, 'unauthorized', unauthorized)
        const verdicts = await deps.accept(parsed.data)
        if (verdicts.some((v) => v.live)) queuedBy.add(request)
        return reply
          .code(200)
          .type('application/json')
          .send(
            verdicts.map((v) => ({
              token_hash: v.tokenHash,
              token_type: v.type,
              label: v.live ? 'true_positive' : 'false_positive',
            })),
          )
      },
    )
  })
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
}
