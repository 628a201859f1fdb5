import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { ConnectionError, FastifyInstance, onRequestHookHandler } from 'fastify'
import { sendError } from '../error-envelope.ts'
import { failure } from '../error-status.ts'

/** Node's parser errors that have a status of their own (as Node's own answers have); any other is a 400. */
const answers: Record<string, { status: number; reason: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    message: 'Request header fields too large: the request line and headers must fit in 16 KB',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    reason: 'Payload Too Large',
    message: 'Request body chunk extensions too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', message: 'Request timeout' },
}
const malformed = { status: 400, reason: 'Bad Request', message: 'Malformed HTTP request' }

/**
 * Requests Node's parser refuses (a malformed request line or header, headers over 16 KB) never reach a route, so
 * not even the path is known: every one gets the APIs' envelope, written on the socket, with `status` equal to the
 * HTTP status. `error` stays `bad_request`, the documented code for a request the client must fix.
 */
export function clientErrorHandler(this: FastifyInstance, error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const answer = answers[error.code] ?? malformed
  // Only the code: the error also carries the raw bytes received (`rawPacket`), Authorization header included.
  this.log.debug({ code: error.code }, 'client error')
  // As Node does: nothing is written while a response to an earlier request on this connection is under way, which
  // the bytes would corrupt (Node keeps that response on the socket as `_httpMessage`).
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify(failure('bad_request', answer.message, answer.status))
    socket.write(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

/**
 * HTTP/1.1 requires a Host header (RFC 9112 §3.2). Node checks it itself but answers an empty 400, so the server
 * turns that check off (`requireHostHeader: false`) and this hook, the first of every request, makes it instead.
 */
export const requireHostHeader: onRequestHookHandler = (request, reply, done) => {
  if (request.headers.host !== undefined || request.raw.httpVersion !== '1.1') return done()
  // As Node does: a client that broke the protocol once does not get to send another request on this connection.
  reply.header('connection', 'close')
  sendError(reply, 'bad_request', 'Missing Host header')
}
