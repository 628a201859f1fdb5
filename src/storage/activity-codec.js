// Agent Activity's compact row format (migration 0021), shared by the server's thread and the SQLite writer thread.
// Plain JavaScript: a worker thread does not inherit the TypeScript loader the main thread runs under.
/**
 * A row's id is its time: the millisecond `at` times 2^20, plus a writer tag (8 bits) times 2^12, plus a sequence
 * number within that millisecond (12 bits). Ids sort by time, so the time column, its index and the primary key are
 * one integer; a time range is an id range. 2^63 / 2^20 ms is year 2248.
 */
export const idShift = 1_048_576n
const tagShift = 4096n

/** The first id of the millisecond `at` (a range `at >= t` is `id >= idAt(t)`). */
export const idAt = (at) => BigInt(Math.floor(at)) * idShift

/** The millisecond an id was made for. */
export const atOfId = (id) => Number(BigInt(id) / idShift)

/**
 * Hands out ids. `tags` tell writers that may run at once apart (Postgres: numbers from a sequence, a few per process,
 * each good for 4,096 rows in a millisecond); a writer that is alone (SQLite's) has none and counts up to 2^20 rows
 * in a millisecond instead.
 */
export class ActivityIds {
  constructor(tags = []) {
    this.tags = tags.map((tag) => BigInt(tag % 256))
    this.perTag = this.tags.length === 0 ? 1_048_576 : 4096
    this.limit = this.perTag * Math.max(1, this.tags.length)
    this.next = new Map()
    this.newest = 0
  }

  /** How many more ids the millisecond of `at` has with the tags this holds. */
  room(at) {
    return this.limit - (this.next.get(Math.floor(at)) ?? 0)
  }

  /** More tags (a burst of more rows in one millisecond than the others allow); at most 64 in all. */
  addTags(tags) {
    if (this.tags.length === 0 || this.tags.length + tags.length > 64) return false
    this.tags.push(...tags.map((tag) => BigInt(tag % 256)))
    this.limit = this.perTag * this.tags.length
    return true
  }

  /** A new id for a row at `at`. */
  idFor(at) {
    const ms = Math.floor(at)
    const seq = this.next.get(ms) ?? 0
    if (seq >= this.limit) throw new Error(`more than ${this.limit} activity rows in one millisecond`)
    this.next.set(ms, seq + 1)
    if (ms > this.newest) this.newest = ms
    // Rows arrive within about a second of their time; a counter ten minutes old is not needed again.
    if (this.next.size > 20_000) {
      for (const old of this.next.keys()) if (old < this.newest - 600_000) this.next.delete(old)
    }
    if (this.tags.length === 0) return BigInt(ms) * idShift + BigInt(seq)
    const tag = this.tags[Math.floor(seq / this.perTag)]
    return BigInt(ms) * idShift + tag * tagShift + BigInt(seq % this.perTag)
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Request ids are the server's UUIDs: 16 bytes instead of 36 characters. Anything else keeps its UTF-8 bytes behind
 * 0xff (a byte UTF-8 never starts with), two of them when the result would otherwise be 16 bytes long; no id is
 * empty bytes.
 */
export function encodeRequestId(requestId) {
  if (requestId === null) return Buffer.alloc(0)
  if (uuidPattern.test(requestId)) return Buffer.from(requestId.replaceAll('-', ''), 'hex')
  const text = Buffer.from(requestId, 'utf8')
  const marker = Buffer.from(text.length === 15 ? [0xff, 0xff] : [0xff])
  return Buffer.concat([marker, text])
}

export function decodeRequestId(bytes) {
  if (bytes === null || bytes.length === 0) return null
  const buffer = Buffer.from(bytes)
  if (buffer.length === 16) {
    const hex = buffer.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
  let start = 0
  while (buffer[start] === 0xff) start++
  return buffer.subarray(start).toString('utf8')
}

/** Latency in hundredths of a millisecond, the precision the request path records it with. */
export const encodeLatency = (latencyMs) => Math.round(latencyMs * 100)
export const decodeLatency = (stored) => Number(stored) / 100

/** Reasons by their position in `reasons` (core's list, which only grows at its end), plus one; 0 is none. */
export function encodeReason(reasons, reason) {
  if (reason === null) return 0
  const index = reasons.indexOf(reason)
  if (index < 0) throw new Error(`unknown activity reason: ${reason}`)
  return index + 1
}
export const decodeReason = (reasons, code) => (code === 0 ? null : (reasons[code - 1] ?? null))

/** What a row shares with many others, each stored once: its endpoint and outcome, and its client. */
export const shapeOf = (row) => [
  row.method,
  row.route,
  row.scope,
  row.status,
  row.error_code,
  row.rate_limited ? 1 : 0,
]
export const clientOf = (row) => [row.client_ip, row.user_agent]
export const shapeColumns = ['method', 'route', 'scope', 'status', 'error_code', 'rate_limited']
export const clientColumns = ['client_ip', 'user_agent']
/** The legacy row's text fields that are stored as a reference to `activity_names` (0: null). */
export const nameColumns = ['account_id', 'project_id', 'key_id', 'path', 'requested_project_id', 'rpc_id']

/** Dictionary caches are bounded: paths can be many. Cleared when full, they fill again from the table. */
export const maxCachedEntries = 100_000
