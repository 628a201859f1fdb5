/** The closed set of failure codes. Transports map each to a status in one table. */
export const errorCodes = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'rate_limit_exceeded',
  'internal_error',
] as const
export type ErrorCode = (typeof errorCodes)[number]

/** The one error type use-cases throw for expected failures; the message is safe to show to the caller. */
export class KeywardError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'KeywardError'
  }
}

/**
 * What a refused caller is told, written once for REST, MCP, the dashboard and the CLI. A use-case's own refusal
 * names its object instead (`notFound('Key')`: "Key not found").
 */
export const messages = {
  unauthorized: 'Invalid or missing API key',
  noApiAccess: 'API access requires a Plus plan or higher',
  wrongProject: 'This API key does not have access to this project',
  missingScope: (scope: string) => `This API key lacks the required scope: ${scope}`,
  ipNotAllowed: 'This API key cannot be used from this IP address',
  mcpKeysDisabled: "This team's policy does not allow API keys on MCP: connect with OAuth instead",
  mcpOAuthDisabled: "This team's policy does not allow OAuth on MCP: connect with an API key instead",
  notFound: 'The requested resource was not found',
  rateLimited: 'Rate limit exceeded. Please try again later.',
  internal: 'An unexpected error occurred',
} as const

export const badRequest = (message: string) => new KeywardError('bad_request', message)
export const forbidden = (message: string) => new KeywardError('forbidden', message)
export const notFound = (what: string) => new KeywardError('not_found', `${what} not found`)
/** The request is valid but clashes with the current state (the last Owner, an existing member). */
export const conflict = (message: string) => new KeywardError('conflict', message)
