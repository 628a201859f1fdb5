import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { teamWithProject } from './support/keyward.ts'
import {
  authorizationUrl,
  CookieJar,
  consentTo,
  dashboardCall,
  followToClient,
  type OAuthServer,
  pkcePair,
  redirectUri,
  signInBrowser,
  startAuthorization,
  startOAuthServer,
  tokenRequest,
} from './support/oauth-flow.ts'

/** Client ID metadata documents: a client known by the https URL of its metadata, fetched like a webhook. */
describe('client ID metadata documents', () => {
  let documents: Server
  let base: string
  const served = new Map<string, unknown>()
  let server: OAuthServer
  let strict: OAuthServer
  beforeAll(async () => {
    documents = createServer((request, response) => {
      const body = served.get(request.url ?? '')
      if (body === undefined) return response.writeHead(404).end()
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
    await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(documents.address() as AddressInfo).port}`
    // KEYWARD_ALLOW_HTTP_WEBHOOKS=1 lets the guarded agent reach this loopback receiver, as for webhooks.
    server = await startOAuthServer({ env: { KEYWARD_ALLOW_HTTP_WEBHOOKS: '1' } })
    strict = await startOAuthServer()
  })
  afterAll(async () => {
    await server?.close()
    await strict?.close()
    await new Promise((resolve) => documents.close(resolve))
  })

  const documentFor = (path: string, overrides: Record<string, unknown> = {}) => {
    const clientId = `${base}${path}`
    served.set(path, {
      client_id: clientId,
      client_name: 'Metadata document client',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...overrides,
    })
    return clientId
  }

  it('is advertised in the metadata', async () => {
    const metadata = await (await fetch(`${server.origin}/.well-known/oauth-authorization-server`)).json()
    expect(metadata.client_id_metadata_document_supported).toBe(true)
  })

  it('authorizes a client by its document URL, without registration', async () => {
    const team = await teamWithProject(server.keyward)
    const clientId = documentFor('/clients/good.json')
    const { verifier, challenge } = pkcePair()
    const jar = new CookieJar()
    const uid = await startAuthorization(jar, authorizationUrl(server.origin, clientId, challenge))
    const email = (await server.keyward.users.findById(team.owner.userId))?.email ?? ''
    const csrf = await signInBrowser(server.origin, jar, email)
    const details = await (
      await dashboardCall(server.origin, jar, csrf, 'GET', `/oauth/interactions/${uid}`)
    ).json()
    expect(details.client).toEqual({
      id: clientId,
      // A document names itself: the host that published it is shown with the name it gives.
      name: `Metadata document client (${new URL(clientId).host})`,
      redirectHost: '127.0.0.1:33418',
    })
    const consent = await consentTo(server.origin, jar, csrf, uid, {
      projectId: team.project.id,
      scopes: ['visibility.read'],
    })
    const callback = await followToClient(jar, (await consent.json()).redirectTo)
    const token = await tokenRequest(server.origin, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: verifier,
    })
    expect(token.status).toBe(200)
    expect(token.body.scope).toBe('visibility.read')
  })

  it('refuses a document that names another client_id, or a secret, or is missing', async () => {
    const wrongId = documentFor('/clients/wrong.json', { client_id: `${base}/clients/other.json` })
    const secret = documentFor('/clients/secret.json', {
      client_secret: 'shh',
      token_endpoint_auth_method: 'client_secret_basic',
    })
    for (const clientId of [wrongId, secret, `${base}/clients/missing.json`]) {
      const response = await fetch(authorizationUrl(server.origin, clientId, pkcePair().challenge), {
        redirect: 'manual',
      })
      expect(response.status, clientId).toBe(400)
      expect(response.headers.get('location')).toBeNull()
      expect((await response.json()).error).toBe('invalid_client')
    }
  })

  it('accepts no http document, and reaches no loopback address, without KEYWARD_ALLOW_HTTP_WEBHOOKS=1', async () => {
    for (const clientId of [
      documentFor('/clients/strict.json'),
      `${base.replace('http:', 'https:')}/clients/strict.json`,
    ]) {
      const response = await fetch(authorizationUrl(strict.origin, clientId, pkcePair().challenge), {
        redirect: 'manual',
      })
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('invalid_client')
    }
  })
})
