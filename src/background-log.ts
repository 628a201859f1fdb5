/** The part of pino's logger that work done off the request path (webhook attempts) writes to. */
export interface BackgroundLogger {
  warn(fields: object, message: string): void
}

/**
 * Where background work logs: a line on stderr until `keyward serve` hands over its request logger with `use`, so
 * a server's entries land in its JSON log and a CLI command's (`keyward webhook test`) on its stderr.
 */
export function backgroundLog(): BackgroundLogger & { use(logger: BackgroundLogger): void } {
  let target: BackgroundLogger = {
    warn: (fields, message) => process.stderr.write(`keyward: warn: ${message} ${JSON.stringify(fields)}\n`),
  }
  return {
    warn: (fields, message) => target.warn(fields, message),
    use(logger) {
      target = logger
    },
  }
}

/** One line on stderr per failing dependency every 30 s at most, not one per request. */
export function throttledWarning(what: string) {
  let last = 0
  return (error: Error) => {
    if (Date.now() - last < 30_000) return
    last = Date.now()
    process.stderr.write(
      `keyward: warn: ${what} unreachable (${error.message}); rate limits count in memory per node\n`,
    )
  }
}
