import type { Browser } from 'playwright-core'

export interface Transfer {
  url: string
  type: string
  /** Bytes on the wire for the response (headers and encoded body), as Chromium's network stack counted them. */
  encodedBytes: number
  encoding: string
}

/**
 * A first visit in a fresh browser profile (empty cache): the sign-in page, sign in, open API Keys, and wait until
 * the table shows and the network is quiet. Returns every response but the API's JSON (Fetch/XHR), measured with
 * CDP's Network events: what a new admin downloads before they can manage a key.
 */
export async function firstVisitToApiKeys(
  browser: Browser,
  baseUrl: string,
  credentials: { email: string; password: string },
): Promise<Transfer[]> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } })
  try {
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    const responses = new Map<string, Omit<Transfer, 'encodedBytes'>>()
    const transfers: Transfer[] = []
    cdp.on('Network.responseReceived', (event) => {
      const headers = Object.fromEntries(
        Object.entries(event.response.headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
      )
      responses.set(event.requestId, {
        url: event.response.url,
        type: event.type ?? 'Other',
        encoding: headers['content-encoding'] ?? 'identity',
      })
    })
    cdp.on('Network.loadingFinished', (event) => {
      const response = responses.get(event.requestId)
      if (response && response.type !== 'Fetch' && response.type !== 'XHR')
        transfers.push({ ...response, encodedBytes: event.encodedDataLength })
    })
    await cdp.send('Network.enable')

    await page.goto('/sign-in')
    await page.getByLabel('Email').fill(credentials.email)
    await page.getByLabel('Password').fill(credentials.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'API Keys' }).click()
    await page.getByRole('heading', { name: 'API Keys' }).waitFor()
    await page.getByRole('row').nth(1).waitFor()
    await page.waitForLoadState('networkidle')
    return transfers
  } finally {
    await context.close()
  }
}

export const totalBytes = (transfers: readonly Transfer[]) =>
  transfers.reduce((sum, t) => sum + t.encodedBytes, 0)
