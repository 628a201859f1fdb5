import { request as httpRequest } from 'node:http'
import { createServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { teamWithProject } from './support/keyward.ts'
import {
  authorizationUrl,
  CookieJar,
  consentTo,
  dashboardCall,
  type OAuthServer,
  obtainToken,
  pkcePair,
  registerClient,
  signInBrowser,
  startAuthorization,
  startOAuthServer,
  tokenRequest,
} from './support/oauth-flow.ts'

/** The findings of the security review of the authorization server (issue 17), each as the attack it describes. */
describe('MCP OAuth: consent bound to its browser, no outbound fetch by the provider, no open redirect', () => {
  let server: OAuthServer
  let team: Awaited<ReturnType<typeof teamWithProject>>
  const emailOf = async (userId: string) => (await server.keyward.users.findById(userId))?.email ?? ''
  const grantCount = async () =>
    (await server.keyward.database.db.selectFrom('oauth_grants').select('id').execute()).length

  beforeAll(async () => {
    server = await startOAuthServer()
    team = await teamWithProject(server.keyward)
  })
  afterAll(async () => server?.close())

  it('refuses a consent given in another browser than the one that started the authorization', async () => {
    // The attacker starts an authorization in their own browser and sends its consent page to a member.
    const client = await registerClient(server.origin, { client_name: 'Claude Code' })
    const attacker = new CookieJar()
    const url = authorizationUrl(server.origin, client.client_id, pkcePair().challenge, {
      scope: 'visibility.read',
    })
    const uid = await startAuthorization(attacker, url)
    const victim = new CookieJar()
    const page = await victim.fetch(`${server.origin}/oauth/consent/${uid}`)
    expect(page.headers.getSetCookie().some((c) => c.startsWith('keyward_consent='))).toBe(false)
    const csrf = await signInBrowser(server.origin, victim, await emailOf(team.owner.userId))
    const before = await grantCount()
    const path = `/oauth/interactions/${uid}`
    const body = { projectId: team.project.id, scopes: ['visibility.read'] }
    for (const [method, suffix, payload] of [
      ['GET', '', undefined],
      ['POST', '/consent', body],
      ['POST', '/deny', undefined],
    ] as const) {
      const answer = await dashboardCall(server.origin, victim, csrf, method, `${path}${suffix}`, payload)
      expect(answer.status).toBe(403)
      expect(await answer.json()).toMatchObject({
        error: 'forbidden',
        message: 'This authorization was started in another browser: start again from the app',
      })
    }
    expect(await grantCount()).toBe(before)
  })

  it('sends the browser back to the public URL, whatever Host the authorization was started with', async () => {
    const client = await registerClient(server.origin)
    const url = authorizationUrl(server.origin, client.client_id, pkcePair().challenge, {
      scope: 'visibility.read',
    })
    // The authorization request arrives with a Host the client chose (a proxy passing it on, a crafted link).
    const started = await new Promise<{ location: string; cookies: string[] }>((resolve, reject) => {
      const outgoing = httpRequest(url, { headers: { host: 'evil.example' } }, (response) => {
        response.resume()
        resolve({ location: response.headers.location ?? '', cookies: response.headers['set-cookie'] ?? [] })
      })
      outgoing.on('error', reject).end()
    })
    const uid = /\/oauth\/consent\/([^/?#]+)/.exec(started.location)?.[1] ?? ''
    expect(uid).not.toBe('')
    const jar = new CookieJar()
    jar.keep(
      new Response(null, { headers: started.cookies.map((c) => ['set-cookie', c] as [string, string]) }),
    )
    await (await jar.fetch(`${server.origin}/oauth/consent/${uid}`)).arrayBuffer()
    const csrf = await signInBrowser(server.origin, jar, await emailOf(team.owner.userId))
    const consent = await consentTo(server.origin, jar, csrf, uid, {
      projectId: team.project.id,
      scopes: ['visibility.read'],
    })
    expect(consent.status).toBe(200)
    const { redirectTo } = (await consent.json()) as { redirectTo: string }
    expect(redirectTo).toBe(`${server.origin}/oauth/authorize/${uid}`)
  })

  it('never fetches a sector_identifier_uri given at registration', async () => {
    const connections: Socket[] = []
    const listener = createServer((socket) => {
      connections.push(socket)
      socket.destroy()
    })
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
    try {
      const port = (listener.address() as { port: number }).port
      const registered = await fetch(`${server.origin}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          redirect_uris: ['http://127.0.0.1:33418/callback'],
          token_endpoint_auth_method: 'none',
          sector_identifier_uri: `https://127.0.0.1:${port}/sector`,
        }),
      })
      expect([201, 400]).toContain(registered.status)
      expect(JSON.stringify(await registered.json())).not.toMatch(
        /ECONNREFUSED|got \d{3}|sector_identifier_uri response/,
      )
      expect(connections).toHaveLength(0)
    } finally {
      await new Promise((resolve) => listener.close(resolve))
    }
  })

  it('treats two refreshes with the same refresh token at once as a reuse: one answer, then the grant ends', async () => {
    const token = await obtainToken(server, {
      userEmail: await emailOf(team.owner.userId),
      projectId: team.project.id,
      scopes: ['visibility.read'],
    })
    const refresh = () =>
      tokenRequest(server.origin, {
        grant_type: 'refresh_token',
        refresh_token: token.refreshToken,
        client_id: token.clientId,
      })
    const answers = await Promise.all([refresh(), refresh()])
    const statuses = answers.map((a) => a.status).sort()
    expect(statuses).toEqual([200, 400])
    expect(answers.find((a) => a.status === 400)?.body).toMatchObject({ error: 'invalid_grant' })
    // The winner's new refresh token died with the grant.
    const winner = answers.find((a) => a.status === 200)?.body.refresh_token as string
    const after = await tokenRequest(server.origin, {
      grant_type: 'refresh_token',
      refresh_token: winner,
      client_id: token.clientId,
    })
    expect(after.body).toMatchObject({ error: 'invalid_grant' })
    const row = await server.keyward.database.db
      .selectFrom('oauth_grants')
      .select('revoked_at')
      .where('id', '=', token.grantId)
      .executeTakeFirst()
    expect(row?.revoked_at).not.toBeNull()
  })
})
