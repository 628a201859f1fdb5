import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { loadConfig } from '../../src/config.ts'
import { composeKeyward, type Keyward, servedAppDeps } from '../../src/main.ts'
import { buildApp } from '../../src/transport/http/app.ts'
import { testPassword } from './dashboard.ts'
import { sqliteDatabase, type TestDatabase } from './databases.ts'
import { freePort } from './served.ts'

/**
 * MCP OAuth end to end with plain fetch, as a browser and an MCP client would drive it: registration (RFC 7591),
 * authorization with PKCE, sign-in and consent through the dashboard API, the redirect back, and the token.
 */

/** A real server whose KEYWARD_PUBLIC_URL is its own loopback address, with the authorization server mounted. */
export async function startOAuthServer(
  options: {
    database?: TestDatabase
    /** What oidc-provider's own grant revocations do (default: the composition's). */
    onGrantRevoked?: (grantId: string) => Promise<void>
    env?: Record<string, string>
    /** A built dashboard (test/support/browser.ts buildDashboard), for the consent page in Chromium. */
    webDist?: string
  } = {},
) {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const keyward = await composeKeyward(loadConfig({ ...options.env, KEYWARD_PUBLIC_URL: origin }), {
    database: await (options.database ?? sqliteDatabase).open(),
    ...(options.onGrantRevoked ? { onGrantRevoked: options.onGrantRevoked } : {}),
  })
  const app: FastifyInstance = await buildApp({
    ...(await servedAppDeps(keyward)),
    logLevel: 'silent',
    ...(options.webDist ? { webDist: options.webDist } : {}),
  })
  await app.listen({ port, host: '127.0.0.1' })
  return {
    keyward,
    app,
    origin,
    resource: `${origin}/api/mcp`,
    async close() {
      await app.close()
      await keyward.close()
    },
  }
}

export type OAuthServer = Awaited<ReturnType<typeof startOAuthServer>>

/** A browser's cookies, by name (paths ignored: one test server, one origin). */
export class CookieJar {
  readonly cookies = new Map<string, string>()

  keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const at = pair.indexOf('=')
      const name = pair.slice(0, at).trim()
      const value = pair.slice(at + 1).trim()
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === ''
      const expires = attributes.find((a) => /^\s*expires=/i.test(a))
      const past = expires !== undefined && Date.parse(expires.split('=')[1] ?? '') <= Date.now()
      if (gone || past) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  /** fetch without following redirects, sending and keeping cookies. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookies.size > 0) headers.set('cookie', this.header())
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    this.keep(response)
    return response
  }
}

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export const redirectUri = 'http://127.0.0.1:33418/callback'

/** Dynamic client registration of a public client, as MCP clients do it. */
export async function registerClient(origin: string, metadata: Record<string, unknown> = {}) {
  const response = await fetch(`${origin}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Test MCP client',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...metadata,
    }),
  })
  if (response.status !== 201)
    throw new Error(`registration failed: ${response.status} ${await response.text()}`)
  return (await response.json()) as { client_id: string; client_name?: string; redirect_uris: string[] }
}

/** The authorization request's URL (code flow, S256); `params` adds or overrides (undefined removes). */
export function authorizationUrl(
  origin: string,
  clientId: string,
  challenge: string,
  params: Record<string, string | undefined> = {},
) {
  const url = new URL(`${origin}/oauth/authorize`)
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
    resource: `${origin}/api/mcp`,
    scope: 'visibility.read citations.read actions.write',
    ...params,
  }
  for (const [name, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(name, value)
  return url
}

/** Starts the authorization in the browser: the provider sends it to the consent page; returns its uid. */
export async function startAuthorization(jar: CookieJar, url: URL): Promise<string> {
  const response = await jar.fetch(url.href)
  const location = response.headers.get('location') ?? ''
  const uid = /\/oauth\/consent\/([^/?#]+)$/.exec(location)?.[1]
  if (!uid)
    throw new Error(`expected the consent page, got ${response.status} ${location} ${await response.text()}`)
  // The browser follows to the consent page, which binds this authorization's consent to it (a cookie).
  await (await jar.fetch(new URL(location, url).href)).arrayBuffer()
  return uid
}

/** Signs in through the dashboard API (the jar gets the session) and returns a CSRF token bound to it. */
export async function signInBrowser(origin: string, jar: CookieJar, email: string, password = testPassword) {
  const csrf = async () =>
    ((await (await jar.fetch(`${origin}/api/dashboard/csrf`)).json()) as { token: string }).token
  const response = await jar.fetch(`${origin}/api/dashboard/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': await csrf() },
    body: JSON.stringify({ email, password }),
  })
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`)
  return csrf()
}

/** The member's Allow on the consent page: the consent API call the page makes. */
export function consentTo(
  origin: string,
  jar: CookieJar,
  csrf: string,
  uid: string,
  body: { projectId: string; scopes: readonly string[] },
) {
  return dashboardCall(origin, jar, csrf, 'POST', `/oauth/interactions/${uid}/consent`, body)
}

/** A dashboard API call as the signed-in browser. */
export async function dashboardCall(
  origin: string,
  jar: CookieJar,
  csrf: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
) {
  return jar.fetch(`${origin}/api/dashboard${path}`, {
    method,
    headers: {
      ...(method === 'POST' ? { 'x-csrf-token': csrf } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

/**
 * Follows the provider's redirects from the consent API's `redirectTo` until the client's redirect URI, and submits
 * the provider's self-posting forms as a browser's script would (its sign-out confirmation, when another user
 * consents in a browser that holds a provider session).
 */
export async function followToClient(jar: CookieJar, redirectTo: string): Promise<URL> {
  let next = redirectTo
  let form: URLSearchParams | undefined
  for (let hop = 0; hop < 8; hop += 1) {
    if (next.startsWith(redirectUri)) return new URL(next)
    const response = await jar.fetch(next, form ? { method: 'POST', body: form } : {})
    const location = response.headers.get('location')
    form = undefined
    if (location) {
      next = new URL(location, next).href
      continue
    }
    const page = await response.text()
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1]
    if (!action) throw new Error(`no redirect from ${next}: ${response.status} ${page}`)
    form = new URLSearchParams()
    for (const input of page.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
      form.set(input[1] ?? '', input[2] ?? '')
    next = new URL(action.replaceAll('&amp;', '&'), next).href
  }
  throw new Error('too many redirects')
}

/** The token endpoint, form-encoded as RFC 6749 wants. */
export async function tokenRequest(origin: string, params: Record<string, string>) {
  const response = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

export interface ObtainedToken {
  clientId: string
  accessToken: string
  refreshToken: string
  scope: string
  /** The grant's id (claim `grant_id`, oauth_grants.id). */
  grantId: string
  jar: CookieJar
}

/**
 * The whole flow for one user, project and scopes: register, authorize, sign in, consent, callback, token.
 * `userEmail` must have the test password (test/support/keyward.ts newUser does).
 */
export async function obtainToken(
  server: { origin: string; keyward: Keyward },
  options: { userEmail: string; projectId: string; scopes: string[]; requestScope?: string },
): Promise<ObtainedToken> {
  const { origin } = server
  const client = await registerClient(origin)
  const { verifier, challenge } = pkcePair()
  const jar = new CookieJar()
  const scope = options.requestScope ?? options.scopes.join(' ')
  const uid = await startAuthorization(jar, authorizationUrl(origin, client.client_id, challenge, { scope }))
  const csrf = await signInBrowser(origin, jar, options.userEmail)
  const consent = await consentTo(origin, jar, csrf, uid, {
    projectId: options.projectId,
    scopes: options.scopes,
  })
  if (consent.status !== 200) throw new Error(`consent failed: ${consent.status} ${await consent.text()}`)
  const callback = await followToClient(jar, ((await consent.json()) as { redirectTo: string }).redirectTo)
  const code = callback.searchParams.get('code')
  if (!code) throw new Error(`no code: ${callback.href}`)
  const token = await tokenRequest(origin, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: client.client_id,
    code_verifier: verifier,
  })
  if (token.status !== 200) throw new Error(`token failed: ${token.status} ${JSON.stringify(token.body)}`)
  const accessToken = token.body.access_token as string
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
    grant_id: string
  }
  return {
    clientId: client.client_id,
    accessToken,
    refreshToken: token.body.refresh_token as string,
    scope: token.body.scope as string,
    grantId: payload.grant_id,
    jar,
  }
}
