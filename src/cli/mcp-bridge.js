// @ts-check
/**
 * `keyward mcp`: for MCP clients that only speak stdio. Every JSON-RPC message read on stdin (one per line) is
 * POSTed to the Streamable HTTP endpoint with the key, and every answer is written to stdout, one per line. The key
 * is checked there, on each request, exactly as for any other client.
 *
 * Plain JavaScript on Node alone: MCP clients spawn this and wait for its answer to `initialize`, so it loads neither
 * the TypeScript loader, nor the MCP SDK, nor any of the server's modules (cold start: docs/benchmarks.md).
 */
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'

/** JSON-RPC's server-error range: what the bridge answers when Keyward could not. */
const unreachable = -32000
const refused = -32001

/**
 * @typedef {{ jsonrpc: '2.0', id?: string | number | null, method?: string, [k: string]: unknown }} Message
 * @typedef {{ url: string, key: string, input?: NodeJS.ReadableStream, output?: NodeJS.WritableStream,
 *   log?: (line: string) => void }} BridgeOptions
 */

/** @param {unknown} message @returns {message is Message & { id: string | number, method: string }} */
const isRequest = (message) => {
  const m = /** @type {Partial<Message> | null} */ (message)
  return (
    typeof m === 'object' && m !== null && typeof m.method === 'string' && m.id !== undefined && m.id !== null
  )
}

/**
 * Why a request got no answer from Keyward, in one short line: the URL and the network's code when it could not be
 * reached, the status and Keyward's own message when it refused (never the raw body).
 * @param {string} url @param {unknown} error
 */
function networkFailure(url, error) {
  const cause = /** @type {{ cause?: { code?: string, message?: string } }} */ (error).cause
  const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))
  return `Keyward is not reachable at ${url} (${why}); is keyward serve running there?`
}

/** @param {number} status @param {string} text */
function refusal(status, text) {
  let said = ''
  try {
    const body = JSON.parse(text)
    if (typeof body?.message === 'string') said = body.message
  } catch {
    // not JSON: the status says enough
  }
  const what = status === 401 ? 'refused the API key' : status === 403 ? 'refused access' : 'answered'
  const hint = status === 401 ? ' (check KEYWARD_API_KEY or --key)' : ''
  return `Keyward ${what}: HTTP ${status}${said ? ` ${said.slice(0, 160)}` : ''}${hint}`
}

/** The messages of a JSON body or of an event stream's `data:` lines. @param {string} type @param {string} text */
function messagesIn(type, text) {
  if (type.startsWith('text/event-stream')) {
    return text
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => JSON.parse(line.slice(5)))
  }
  const body = JSON.parse(text)
  return Array.isArray(body) ? body : [body]
}

/**
 * Forwards until stdin ends and every forwarded message is answered. A failure is printed on stderr once per cause,
 * not once per message, and every request gets an answer (an error when Keyward gave none), so a client never
 * waits forever and shows the reason instead of "server disconnected".
 * @param {BridgeOptions} options
 */
export async function bridgeStdioToHttp({
  url,
  key,
  input = process.stdin,
  output = process.stdout,
  log = (line) => process.stderr.write(`keyward mcp: ${line}\n`),
}) {
  const reported = new Set()
  const report = (/** @type {string} */ line) => {
    if (reported.has(line)) return
    reported.add(line)
    log(line)
  }
  const write = (/** @type {unknown} */ message) => output.write(`${JSON.stringify(message)}\n`)
  const fail = (/** @type {unknown} */ message, /** @type {number} */ code, /** @type {string} */ text) => {
    report(text)
    if (isRequest(message)) write({ jsonrpc: '2.0', id: message.id, error: { code, message: text } })
  }

  /** @param {unknown} message */
  async function forward(message) {
    let response
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify(message),
      })
    } catch (error) {
      return fail(message, unreachable, networkFailure(url, error))
    }
    const text = await response.text()
    const type = response.headers.get('content-type') ?? ''
    if (response.status === 202 || text === '') return
    let answers
    try {
      answers = messagesIn(type, text)
    } catch {
      return fail(
        message,
        unreachable,
        `Keyward answered HTTP ${response.status} with a body that is not JSON`,
      )
    }
    if (response.ok || answers.some((a) => a?.jsonrpc === '2.0')) {
      // A JSON-RPC error about the whole body (id null) is the answer to the one request it carried.
      for (const answer of answers)
        write(answer?.id === null && isRequest(message) ? { ...answer, id: message.id } : answer)
      return
    }
    fail(message, refused, refusal(response.status, text))
  }

  const pending = new Set()
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  for await (const line of lines) {
    if (line.trim() === '') continue
    let message
    try {
      message = JSON.parse(line)
    } catch {
      write({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: 'Parse error: invalid JSON on stdin' },
      })
      continue
    }
    const sent = forward(message)
    pending.add(sent)
    void sent.finally(() => pending.delete(sent))
  }
  await Promise.all(pending)
}

/**
 * The `keyward mcp` command itself, parsed here rather than by the CLI so that the bridge starts alone
 * (`keyward mcp --help` still shows the CLI's help). @param {string[]} argv
 */
export async function mcpCommand(argv) {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    }))
  } catch (error) {
    return exitWith(error instanceof Error ? error.message : String(error))
  }
  if (!values.url) return exitWith("required option '--url <url>' not specified")
  const key = values.key ?? process.env.KEYWARD_API_KEY
  if (!key) return exitWith('An API key is required: --key or KEYWARD_API_KEY')
  if (!URL.canParse(values.url) || !/^https?:$/.test(new URL(values.url).protocol))
    return exitWith(`Invalid --url ${values.url}: e.g. http://localhost:3000/api/mcp`)
  await bridgeStdioToHttp({ url: values.url, key })
}

/** @param {string} message @returns {never} */
function exitWith(message) {
  process.stderr.write(`keyward: ${message}\n`)
  process.exit(1)
}
