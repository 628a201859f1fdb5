import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { operator } from '../src/core/model.ts'
import { type Scope, scopeCatalogue } from '../src/core/scopes.ts'
import { appDeps, mcpOAuthDeps } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { apiWorld, routesUnderTest } from './support/api.ts'
import { newUser } from './support/keyward.ts'
import { mcpUrl, rawMcp, toolCall } from './support/mcp.ts'
import { grantAndToken, mintAccessToken, tamperedToken, unsignedToken } from './support/oauth-tokens.ts'

type World = Awaited<ReturnType<typeof apiWorld>>
const unauthorized = { error: 'unauthorized', message: 'Invalid or missing API key', status: 401 }
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

let world: World
let app: FastifyInstance
let url: string
let challenge: string
let metadataUrl: string
/** Bad tokens, made once: none of them depends on the tool. */
const bad: Record<string, string> = {}
const tokenWithout = new Map<Scope, Promise<string>>()
const tokenWithOnly = new Map<string, Promise<string>>()

beforeAll(async () => {
  world = await apiWorld()
  app = await buildApp({ ...appDeps(world.keyward), ...mcpOAuthDeps(world.keyward), logLevel: 'silent' })
  url = await mcpUrl(app)
  metadataUrl = `${world.keyward.config.publicUrl}/.well-known/oauth-protected-resource/api/mcp`
  challenge = `Bearer error="invalid_token", resource_metadata="${metadataUrl}"`
  const owner = world.owners.a
  const all = { user: owner, projectId: world.project.id, scopes: scopeCatalogue }
  const valid = await grantAndToken(world.keyward, all)
  const mint = (extra: object) =>
    mintAccessToken(world.keyward, {
      grantId: valid.grant.id,
      userId: owner.userId,
      scopes: scopeCatalogue,
      ...extra,
    })
  bad['an expired token'] = await mint({ expiresIn: -1 })
  bad['a token for another resource'] = await mint({ audience: 'https://other.example/api/mcp' })
  bad['a token of another issuer'] = await mint({ issuer: 'https://other.example' })
  bad['a tampered token'] = tamperedToken(valid.token, { grant_id: 'someone-else' })
  bad['an unsigned token (alg none)'] = unsignedToken(valid.token)
  const revoked = await grantAndToken(world.keyward, all)
  await world.keyward.services.grants.revoke(owner, { grantId: revoked.grant.id })
  bad['a token of a revoked grant'] = revoked.token
  const leaver = await newUser(world.keyward, 'leaver')
  await world.keyward.services.accounts.addMember(operator, {
    accountId: world.account.id,
    userId: leaver.userId,
    role: 'member',
  })
  const left = await grantAndToken(world.keyward, { ...all, user: leaver })
  await world.keyward.services.team.removeMember(leaver, {
    accountId: world.account.id,
    userId: leaver.userId,
  })
  bad['a token of a user who left the team'] = left.token
})
afterAll(async () => {
  await app.close()
  await world.close()
})

const grantToken = (scopes: readonly Scope[]) =>
  grantAndToken(world.keyward, { user: world.owners.a, projectId: world.project.id, scopes }).then(
    (g) => g.token,
  )

/** The MCP matrix's token cases, for every tool: generated from the route table, so a new tool is covered too. */
describe.each(routesUnderTest.map((route) => ({ route, name: route.tool.name })))(
  'tool $name',
  ({ route, name }) => {
    it.each([
      'an expired token',
      'a token for another resource',
      'a token of another issuer',
      'a tampered token',
      'an unsigned token (alg none)',
      'a token of a revoked grant',
      'a token of a user who left the team',
    ])('refuses %s with the generic 401 and the discovery challenge', async (which) => {
      const response = await rawMcp(url, toolCall(name), bearer(bad[which] as string))
      expect(response.status).toBe(401)
      expect(response.json).toEqual(unauthorized)
      expect(response.headers.get('www-authenticate')).toBe(challenge)
      expect(response.headers.get('x-ratelimit-limit')).toBeNull()
    })

    it.skipIf(route.scope === null)(
      'refuses a token without its scope with forbidden: and insufficient_scope',
      async () => {
        const scope = route.scope as Scope
        if (!tokenWithout.has(scope))
          tokenWithout.set(scope, grantToken(scopeCatalogue.filter((s) => s !== scope)))
        const response = await rawMcp(
          url,
          toolCall(name),
          bearer(await (tokenWithout.get(scope) as Promise<string>)),
        )
        expect(response.status).toBe(200)
        expect(response.json.result).toEqual({
          isError: true,
          content: [{ type: 'text', text: `forbidden: This API key lacks the required scope: ${scope}` }],
        })
        expect(response.headers.get('www-authenticate')).toBe(
          `Bearer error="insufficient_scope", scope="${scope}", resource_metadata="${metadataUrl}"`,
        )
        expect(response.headers.get('x-ratelimit-limit')).toBe('500')
      },
    )

    it('lets through a token holding only that scope', async () => {
      const scope = route.scope ?? 'tests.read'
      if (!tokenWithOnly.has(scope)) tokenWithOnly.set(scope, grantToken([scope]))
      const response = await rawMcp(
        url,
        toolCall(name),
        bearer(await (tokenWithOnly.get(scope) as Promise<string>)),
      )
      expect(response.status).toBe(200)
      expect(response.headers.get('www-authenticate')).toBeNull()
      const text = response.json.result.content?.[0]?.text ?? ''
      expect(text).not.toMatch(/^(unauthorized|forbidden)/)
    })
  },
)
