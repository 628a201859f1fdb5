// Reads every page of a paginated Keyward endpoint (the most cited pages), backing off on 429 as the server says.
//
//   KEYWARD_URL=http://localhost:3000 KEYWARD_API_KEY=dtk_live_… PROJECT_ID=<uuid> node examples/paginated-reader.mjs
//
// Prints one JSON line per row on stdout; progress goes to stderr. A 429 carries `Retry-After` (seconds): wait that
// long and send the same request again. Without it, wait until `X-RateLimit-Reset` (Unix seconds), with exponential
// backoff as the floor. Only 429 and 5xx are retried; any other error is a bug in the request, so it stops.
const base = (process.env.KEYWARD_URL ?? 'http://localhost:3000').replace(/\/+$/, '')
const key = process.env.KEYWARD_API_KEY
const projectId = process.env.PROJECT_ID
const pageSize = Number(process.env.PAGE_SIZE ?? 100) // the API allows at most 100
const maxAttempts = 8
if (!key || !projectId) {
  console.error('Set KEYWARD_API_KEY and PROJECT_ID')
  process.exit(1)
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function waitFor(response, attempt) {
  const retryAfter = Number(response.headers.get('retry-after'))
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000
  const reset = Number(response.headers.get('x-ratelimit-reset'))
  const untilReset = Number.isFinite(reset) ? reset * 1000 - Date.now() : 0
  return Math.max(untilReset, 2 ** attempt * 500)
}

async function getJson(url) {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } })
    if (response.ok) return response.json()
    const retryable = response.status === 429 || response.status >= 500
    if (!retryable || attempt === maxAttempts) {
      const body = await response.text()
      throw new Error(`${response.status} from ${url}: ${body}`)
    }
    await response.body?.cancel()
    const ms = waitFor(response, attempt)
    console.error(`${response.status}: retrying in ${Math.ceil(ms / 1000)} s (attempt ${attempt + 1})`)
    await sleep(ms)
  }
}

let page = 1
let totalPages = 1
let rows = 0
do {
  const url = `${base}/api/v2/projects/${projectId}/citations/top-pages?windowDays=90&page=${page}&pageSize=${pageSize}`
  const { data } = await getJson(url)
  for (const row of data.pages) process.stdout.write(`${JSON.stringify(row)}\n`)
  rows += data.pages.length
  totalPages = data.pagination.totalPages
  console.error(`page ${page}/${totalPages}: ${data.pages.length} rows`)
  page++
} while (page <= totalPages)
console.error(`done: ${rows} rows`)
