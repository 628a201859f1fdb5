import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { KeywardError } from '../../../core/errors.ts'
import type { User } from '../../../core/model.ts'
import { sendError } from '../../error-envelope.ts'
import {
  csrfBinding,
  csrfCookie,
  type DashboardDeps,
  dashboardPrefix,
  fetchHeaders,
  signedInUser,
  userActor,
} from './deps.ts'
import { accountSummary } from './json.ts'
import { csrfJson, meJson, signedInJson } from './wire.ts'

const credentials = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().max(256),
})
// At most 60 characters, so that "<name>'s team" fits an account name (100).
const signUp = credentials.extend({
  name: z.string().trim().min(1).max(60),
  password: z.string().min(12).max(256),
})

/** Sign-up and sign-in (both throttled), sign-out, and who is signed in. */
export function sessionRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const open = { config: { public: true } }
  const sessionOf = csrfBinding(deps.secureCookies)

  typed.get('/csrf', { ...open, schema: { response: { 200: csrfJson } } }, async (request, reply) => ({
    token: reply.generateCsrf({ userInfo: sessionOf(request) }),
  }))

  typed.post(
    '/auth/sign-up',
    { ...open, schema: { body: signUp, response: { 201: signedInJson } } },
    async (request, reply) => {
      const wait = await deps.throttle.attemptSignUp(request.ip)
      if (wait > 0)
        return tooMany(reply, wait, 'Too many sign-ups from this address. Please try again later.')
      const user = await deps.sessions.signUp(request.body)
      await createOwnTeam(deps, user)
      const session = await deps.sessions.signIn(request.body, fetchHeaders(request))
      if (session) startSession(reply, session.setCookies)
      return reply.code(201).send({ user })
    },
  )

  typed.post(
    '/auth/sign-in',
    { ...open, schema: { body: credentials, response: { 200: signedInJson } } },
    async (request, reply) => {
      const { email } = request.body
      // Counted before the password is checked, so that parallel guesses are counted too.
      const wait = await deps.throttle.attemptSignIn(request.ip, email)
      if (wait > 0) return tooMany(reply, wait, 'Too many sign-in attempts. Please try again later.')
      const session = await deps.sessions.signIn(request.body, fetchHeaders(request))
      if (!session) return sendError(reply, 'unauthorized', 'Invalid email or password')
      await deps.throttle.signedIn(request.ip, email)
      startSession(reply, session.setCookies)
      return { user: session.user }
    },
  )

  typed.post('/auth/sign-out', open, async (request, reply) => {
    startSession(reply, await deps.sessions.signOut(fetchHeaders(request)).catch(() => []))
    return reply.code(204).send()
  })

  typed.get('/me', { schema: { response: { 200: meJson } } }, async (request) => {
    const accounts = await deps.queries.myAccounts(userActor(request), {})
    return { user: signedInUser(request), accounts: accounts.map((a) => accountSummary(a, a.role)) }
  })
}

function tooMany(reply: FastifyReply, seconds: number, message: string) {
  reply.header('retry-after', String(seconds))
  return sendError(reply, 'rate_limit_exceeded', message)
}

/** A new session (or none) also gets a new CSRF secret: no token outlives the session it was issued in. */
function startSession(reply: FastifyReply, setCookies: string[]) {
  reply.header('set-cookie', setCookies)
  reply.clearCookie(csrfCookie, { path: dashboardPrefix })
}

/**
 * Every new user gets a team of their own, as its Owner. Its slug is picked inside the transaction; two sign-ups
 * with the same name at once may still pick the same one, and the loser simply tries again.
 */
async function createOwnTeam(deps: DashboardDeps, user: User) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.services.accounts.create(
        { kind: 'user', userId: user.id },
        { name: `${user.name}'s team`, plan: 'pro' },
      )
    } catch (error) {
      if (attempt === 3 || error instanceof KeywardError) throw error
    }
  }
}
