import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { appDeps, composeKeyward, type Keyward } from '../src/main.ts'
import { signInLimits } from '../src/storage/sign-in-throttle.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { DashboardClient, signedIn, testPassword } from './support/dashboard.ts'
import { sqliteDatabase } from './support/databases.ts'
import { newUser, teamWithProject } from './support/keyward.ts'

let keyward: Keyward
let app: FastifyInstance

async function start(env: Record<string, string> = {}) {
  keyward = await composeKeyward(loadConfig(env), { database: await sqliteDatabase.open() })
  app = await buildApp({ ...appDeps(keyward), logLevel: 'silent' })
}
beforeEach(() => start())
afterEach(async () => {
  await app.close()
  await keyward.close()
})

const sessionCookieOf = (setCookie: string | string[] | undefined) =>
  [setCookie ?? []].flat().find((c) => c.includes('session_token='))

const signUp = (client: DashboardClient, email: string, password = testPassword) =>
  client.request('POST', '/auth/sign-up', { name: 'Ada', email, password })

describe('sign-up', () => {
  it('creates the user, their own team with them as Owner on pro, and a session', async () => {
    const client = new DashboardClient(app)
    const response = await signUp(client, 'Ada@Example.test')
    expect(response.statusCode, response.body).toBe(201)
    expect(response.json().user).toMatchObject({ email: 'ada@example.test', name: 'Ada' })
    const me = await client.request('GET', '/me')
    expect(me.statusCode).toBe(200)
    expect(me.json().accounts).toEqual([
      expect.objectContaining({ name: "Ada's team", plan: 'pro', role: 'owner', rateLimitPerMinute: 500 }),
    ])
    expect(me.json().accounts[0].permissions).toContain('settings.manage')
  })

  it('refuses a name too long for its team, creating nothing', async () => {
    const response = await new DashboardClient(app).request('POST', '/auth/sign-up', {
      name: 'n'.repeat(61),
      email: 'long@example.test',
      password: testPassword,
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().message).toBe('Invalid request body: name (at most 60)')
    expect(await keyward.users.findByEmail('long@example.test')).toBeUndefined()
  })

  it('refuses a taken email (409) and a short password (400), creating nothing', async () => {
    await signUp(new DashboardClient(app), 'taken@example.test')
    const accounts = await keyward.storage.accounts.count()
    const again = await signUp(new DashboardClient(app), 'taken@example.test')
    expect(again.statusCode).toBe(409)
    expect(again.json().message).toBe('An account with this email already exists')
    expect(sessionCookieOf(again.headers['set-cookie'])).toBeUndefined()
    const short = await signUp(new DashboardClient(app), 'short@example.test', 'short')
    expect(short.statusCode).toBe(400)
    expect(short.json().message).toBe('Invalid request body: password (at least 12)')
    expect(await keyward.storage.accounts.count()).toBe(accounts)
    expect(await keyward.users.findByEmail('short@example.test')).toBeUndefined()
  })
})

describe('sessions', () => {
  it('live in an HttpOnly, SameSite=Lax cookie, not Secure over plain http', async () => {
    const user = await newUser(keyward)
    const found = await keyward.users.findById(user.userId)
    const response = await new DashboardClient(app).signIn(found?.email ?? '')
    expect(response.statusCode).toBe(200)
    const cookie = sessionCookieOf(response.headers['set-cookie'])
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).not.toMatch(/Secure/i)
  })

  it('are Secure when the public URL is https', async () => {
    await app.close()
    await keyward.close()
    await start({ KEYWARD_PUBLIC_URL: 'https://keys.example.test' })
    const user = await newUser(keyward)
    const email = (await keyward.users.findById(user.userId))?.email ?? ''
    const client = new DashboardClient(app)
    const response = await client.signIn(email)
    expect(sessionCookieOf(response.headers['set-cookie'])).toMatch(/^__Secure-.*Secure/i)
    const csrf = await app.inject({ method: 'GET', url: '/api/dashboard/csrf' })
    expect(String(csrf.headers['set-cookie'])).toMatch(/Secure/)
    expect(csrf.headers['strict-transport-security']).toBeDefined()
  })

  it('get a fresh id at every sign-in, and sign-out ends the session for good', async () => {
    const user = await newUser(keyward)
    const email = (await keyward.users.findById(user.userId))?.email ?? ''
    const first = new DashboardClient(app)
    const second = new DashboardClient(app)
    await first.signIn(email)
    await second.signIn(email)
    const token = (c: DashboardClient) => [...c.cookies].find(([k]) => k.includes('session_token'))?.[1]
    expect(token(first)).toBeDefined()
    expect(token(first)).not.toBe(token(second))

    const stolen = token(first)
    const out = await first.request('POST', '/auth/sign-out')
    expect(out.statusCode).toBe(204)
    expect(token(first)).toBeUndefined()
    const replay = await app.inject({
      method: 'GET',
      url: '/api/dashboard/me',
      headers: { cookie: `better-auth.session_token=${stolen}` },
    })
    expect(replay.statusCode).toBe(401)
    expect((await second.request('GET', '/me')).statusCode).toBe(200)
  })

  it('in use are extended, and the renewed cookie is sent back', async () => {
    const user = await newUser(keyward)
    const client = new DashboardClient(app)
    await client.signIn((await keyward.users.findById(user.userId))?.email ?? '')
    // As if signed in long ago: last refreshed two days back, an hour left to live.
    const soon = new Date(Date.now() + 3_600_000)
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString()
    await sql`update auth_sessions set updated_at = ${twoDaysAgo}, expires_at = ${soon.toISOString()}
      where user_id = ${user.userId}`.execute(keyward.database.db)
    const me = await client.request('GET', '/me')
    expect(me.statusCode).toBe(200)
    expect(sessionCookieOf(me.headers['set-cookie'])).toMatch(/Max-Age=\d{5,}/)
    const { rows } = await sql<{ expires_at: string | Date }>`select expires_at from auth_sessions
      where user_id = ${user.userId}`.execute(keyward.database.db)
    expect(new Date(rows[0]?.expires_at ?? 0).getTime()).toBeGreaterThan(soon.getTime() + 86_400_000)
  })

  it('a wrong password gets one generic 401', async () => {
    const user = await newUser(keyward)
    const email = (await keyward.users.findById(user.userId))?.email ?? ''
    for (const [who, password] of [
      [email, 'not the password at all'],
      ['nobody@example.test', testPassword],
    ] as const) {
      const response = await new DashboardClient(app).signIn(who, password)
      expect(response.statusCode).toBe(401)
      expect(response.json()).toEqual({
        error: 'unauthorized',
        message: 'Invalid email or password',
        status: 401,
      })
      expect(sessionCookieOf(response.headers['set-cookie'])).toBeUndefined()
    }
  })
})

describe('sign-in throttling', () => {
  const emailOf = async (userId: string) => (await keyward.users.findById(userId))?.email ?? ''

  it('per client and email: after the allowed failures the right password waits too, with Retry-After', async () => {
    const email = await emailOf((await newUser(keyward)).userId)
    for (let i = 0; i < signInLimits.perPair; i++) {
      expect((await new DashboardClient(app, '10.0.0.1').signIn(email, 'wrong password!!')).statusCode).toBe(
        401,
      )
    }
    const blocked = await new DashboardClient(app, '10.0.0.1').signIn(email)
    expect(blocked.statusCode).toBe(429)
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
    expect(sessionCookieOf(blocked.headers['set-cookie'])).toBeUndefined()
    // The owner, elsewhere, is not locked out by someone else's guesses.
    expect((await new DashboardClient(app, '10.0.0.2').signIn(email)).statusCode).toBe(200)
  })

  it('per email: guesses spread over many addresses are stopped', async () => {
    const email = await emailOf((await newUser(keyward)).userId)
    for (let i = 0; i < signInLimits.perEmail; i++) {
      await new DashboardClient(app, `10.1.${Math.floor(i / 7)}.${i % 7}`).signIn(email, 'wrong password!!')
    }
    expect((await new DashboardClient(app, '10.9.9.9').signIn(email)).statusCode).toBe(429)
  })

  it('per client: a spray over many emails is stopped, other clients are not; an IPv6 client is its /64', async () => {
    for (let i = 0; i < signInLimits.perClient; i++) {
      await new DashboardClient(app, `2001:db8:1:2::${i.toString(16)}`).signIn(
        `spray-${i}@example.test`,
        'guess!',
      )
    }
    const email = await emailOf((await newUser(keyward)).userId)
    expect((await new DashboardClient(app, '2001:db8:1:2:ffff::1').signIn(email)).statusCode).toBe(429)
    expect((await new DashboardClient(app, '2001:db8:1:3::1').signIn(email)).statusCode).toBe(200)
  })

  it('counts parallel guesses before checking any password', async () => {
    const email = await emailOf((await newUser(keyward)).userId)
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => new DashboardClient(app, '10.2.0.1').signIn(email, 'parallel guess!')),
    )
    const statuses = answers.map((a) => a.statusCode)
    expect(statuses.filter((s) => s === 401)).toHaveLength(signInLimits.perPair)
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - signInLimits.perPair)
  })

  it('sign-ups are limited per client', async () => {
    const statuses: number[] = []
    for (let i = 0; i <= signInLimits.signUpsPerClientPerHour; i++) {
      statuses.push((await signUp(new DashboardClient(app, '10.3.0.1'), `farm-${i}@example.test`)).statusCode)
    }
    expect(statuses.slice(0, -1).every((s) => s === 201)).toBe(true)
    expect(statuses.at(-1)).toBe(429)
    expect(
      await keyward.users.findByEmail(`farm-${signInLimits.signUpsPerClientPerHour}@example.test`),
    ).toBeUndefined()
  })
})

describe('CSRF', () => {
  it("one browser's token does not work with another's cookie", async () => {
    const { owner, account } = await teamWithProject(keyward)
    const victim = await signedIn(app, keyward, owner.userId)
    const before = await victim.csrf()
    const attacker = new DashboardClient(app)
    const forged = await attacker.csrf()
    const response = await victim.request(
      'POST',
      `/accounts/${account.id}/projects`,
      { name: 'X' },
      { csrf: forged },
    )
    expect(response.statusCode).toBe(403)
    expect((await keyward.storage.projects.listByAccount(account.id)).map((p) => p.name)).toEqual(['Website'])
    // A token issued before sign-in is useless after it: sign-in issues a new secret.
    const fresh = new DashboardClient(app)
    const early = await fresh.csrf()
    const user = await keyward.users.findById(owner.userId)
    await fresh.signIn(user?.email ?? '')
    const stale = await fresh.request(
      'POST',
      `/accounts/${account.id}/projects`,
      { name: 'Y' },
      { csrf: early },
    )
    expect(stale.statusCode).toBe(403)
    expect(await victim.csrf()).toBe(before)
  })

  it("refuses another session's secret cookie and token tossed beside the victim's session, and takes its own", async () => {
    const { owner, account } = await teamWithProject(keyward)
    const other = await teamWithProject(keyward)
    const victim = await signedIn(app, keyward, owner.userId)
    const attacker = await signedIn(app, keyward, other.owner.userId)
    const attackerToken = await attacker.csrf()
    const anonymous = new DashboardClient(app)
    const anonymousToken = await anonymous.csrf()
    const victimSession = [...victim.cookies].filter(([name]) => name !== '_csrf')
    const create = (pair: { secret: string | undefined; token: string }) =>
      app.inject({
        method: 'POST',
        url: `/api/dashboard/accounts/${account.id}/projects`,
        headers: {
          cookie: [...victimSession, ['_csrf', pair.secret]].map(([k, v]) => `${k}=${v}`).join('; '),
          'x-csrf-token': pair.token,
        },
        payload: { name: 'Tossed' },
      })
    for (const pair of [
      { secret: attacker.cookies.get('_csrf'), token: attackerToken },
      { secret: anonymous.cookies.get('_csrf'), token: anonymousToken },
    ]) {
      const tossed = await create(pair)
      expect(tossed.statusCode).toBe(403)
      expect(tossed.json()).toEqual({ error: 'forbidden', message: 'Invalid CSRF token', status: 403 })
    }
    expect((await keyward.storage.projects.listByAccount(account.id)).map((p) => p.name)).toEqual(['Website'])

    // A cookie whose name only ends like the session cookie's is not the session the token is checked against.
    const decoy = 'x.better-auth.session_token=decoy'
    const decoyCsrf = await app.inject({
      method: 'GET',
      url: '/api/dashboard/csrf',
      headers: { cookie: decoy },
    })
    const decoySecret = decoyCsrf.cookies.find((c) => c.name === '_csrf')?.value
    const withDecoy = await app.inject({
      method: 'POST',
      url: `/api/dashboard/accounts/${account.id}/projects`,
      headers: {
        cookie: [`_csrf=${decoySecret}`, decoy, ...victimSession.map(([k, v]) => `${k}=${v}`)].join('; '),
        'x-csrf-token': decoyCsrf.json().token,
      },
      payload: { name: 'Decoy' },
    })
    expect(withDecoy.statusCode).toBe(403)
    expect((await keyward.storage.projects.listByAccount(account.id)).map((p) => p.name)).toEqual(['Website'])

    const victimToken = await victim.csrf()
    const own = await create({ secret: victim.cookies.get('_csrf'), token: victimToken })
    expect(own.statusCode).toBe(201)
    // Signing out and in again is a new session: the old pair stops working with it.
    const oldToken = await victim.csrf()
    await victim.request('POST', '/auth/sign-out')
    await victim.signIn((await keyward.users.findById(owner.userId))?.email ?? '')
    const renewed = await victim.request(
      'POST',
      `/accounts/${account.id}/projects`,
      { name: 'Z' },
      { csrf: oldToken },
    )
    expect(renewed.statusCode).toBe(403)
  })
})

describe('security headers', () => {
  it('the dashboard API and page carry CSP (no framing) and nosniff; the public API does not pay for them', async () => {
    const api = await app.inject({ method: 'GET', url: '/api/dashboard/csrf' })
    const page = await app.inject({ method: 'GET', url: '/a/some-account/keys' })
    for (const response of [api, page]) {
      expect(response.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/)
      expect(response.headers['content-security-policy']).toMatch(/script-src 'self'/)
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['x-frame-options']).toBe('DENY')
    }
    expect(page.headers['content-type']).toMatch(/text\/html/)
    const publicApi = await app.inject({ method: 'GET', url: '/api/v2/projects/p/visibility/summary' })
    expect(publicApi.statusCode).toBe(401)
    expect(publicApi.headers['content-security-policy']).toBeUndefined()
  })

  it('unknown API paths stay JSON 404s, never the page', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/nothing-here' })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({ error: 'not_found' })
    // Under the dashboard prefix, as under /api/v2, the session is checked first.
    expect((await new DashboardClient(app).request('GET', '/nothing-here')).statusCode).toBe(401)
    const { owner } = await teamWithProject(keyward)
    const client = await signedIn(app, keyward, owner.userId)
    expect((await client.request('GET', '/nothing-here')).json()).toMatchObject({
      error: 'not_found',
      status: 404,
    })
  })
})

describe('invitations by link', () => {
  it('an Owner invites, the invitee signs up with that email and accepts; nobody else can', async () => {
    const { owner, account } = await teamWithProject(keyward)
    const admin = await signedIn(app, keyward, owner.userId)
    const created = await admin.request('POST', `/accounts/${account.id}/invitations`, {
      email: 'grace@example.test',
      role: 'viewer',
    })
    expect(created.statusCode).toBe(201)
    const { token, link } = created.json()
    expect(link).toBe(`/invite/${token}`)

    const stranger = new DashboardClient(app)
    await signUp(stranger, 'eve@example.test')
    const stolen = await stranger.request('POST', `/invitations/${token}/accept`)
    expect(stolen.statusCode).toBe(403)

    const grace = new DashboardClient(app)
    await signUp(grace, 'grace@example.test')
    const shown = await grace.request('GET', `/invitations/${token}`)
    expect(shown.json()).toMatchObject({ accountName: 'Team', email: 'grace@example.test', role: 'viewer' })
    const accepted = await grace.request('POST', `/invitations/${token}/accept`)
    expect(accepted.statusCode).toBe(200)
    expect(accepted.json().account).toMatchObject({ id: account.id, role: 'viewer', permissions: [] })
    expect((await grace.request('POST', `/invitations/${token}/accept`)).statusCode).toBe(404)
    const members = await admin.request('GET', `/accounts/${account.id}/members`)
    expect(members.json().data.map((m: { email: string; role: string }) => [m.email, m.role])).toContainEqual(
      ['grace@example.test', 'viewer'],
    )
  })

  it('a Member may invite only as Member', async () => {
    const { account, members } = await teamWithProject(keyward, ['member'])
    const member = await signedIn(app, keyward, members.member?.userId ?? '')
    for (const role of ['owner', 'viewer']) {
      const response = await member.request('POST', `/accounts/${account.id}/invitations`, {
        email: 'x@example.test',
        role,
      })
      expect(response.statusCode).toBe(403)
    }
    const ok = await member.request('POST', `/accounts/${account.id}/invitations`, {
      email: 'x@example.test',
      role: 'member',
    })
    expect(ok.statusCode).toBe(201)
  })

  it('the last Owner can neither be demoted nor removed', async () => {
    const { owner, account } = await teamWithProject(keyward)
    const admin = await signedIn(app, keyward, owner.userId)
    const demote = await admin.request('PATCH', `/accounts/${account.id}/members/${owner.userId}`, {
      role: 'member',
    })
    expect(demote.statusCode).toBe(409)
    const leave = await admin.request('DELETE', `/accounts/${account.id}/members/${owner.userId}`)
    expect(leave.statusCode).toBe(409)
    expect(await keyward.storage.memberships.roleOf(account.id, owner.userId)).toBe('owner')
    void operator
  })
})
