import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { sendError } from '../errors.ts'
import { type DashboardDeps, fetchHeaders, userActor } from './deps.ts'
import { accountSummary } from './json.ts'

const credentials = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().max(256),
})
const signUp = credentials.extend({
  name: z.string().trim().min(1).max(100),
  password: z.string().min(12).max(256),
})

/** Sign-up, sign-in (throttled per IP and per email), sign-out, and who is signed in. */
export function sessionRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const open = { config: { public: true } }

  typed.get('/csrf', open, async (_request, reply) => ({ token: reply.generateCsrf() }))

  typed.post('/auth/sign-up', { ...open, schema: { body: signUp } }, async (request, reply) => {
    const user = await deps.sessions.signUp(request.body)
    // Every new user gets a team of their own to start from, as its Owner.
    await deps.services.accounts.create(
      { kind: 'user', userId: user.id },
      { name: `${user.name}'s team`, plan: 'pro' },
    )
    const session = await deps.sessions.signIn(request.body, fetchHeaders(request))
    if (session) reply.header('set-cookie', session.setCookies)
    return reply.code(201).send({ user })
  })

  typed.post('/auth/sign-in', { ...open, schema: { body: credentials } }, async (request, reply) => {
    const { email } = request.body
    const wait = await deps.throttle.waitSeconds(request.ip, email)
    if (wait > 0) {
      reply.header('retry-after', String(wait))
      return sendError(reply, 'rate_limit_exceeded', 'Too many failed sign-ins. Please try again later.')
    }
    const session = await deps.sessions.signIn(request.body, fetchHeaders(request))
    if (!session) {
      await deps.throttle.recordFailure(request.ip, email)
      return sendError(reply, 'unauthorized', 'Invalid email or password')
    }
    await deps.throttle.recordSuccess(email)
    reply.header('set-cookie', session.setCookies)
    return { user: session.user }
  })

  typed.post('/auth/sign-out', open, async (request, reply) => {
    reply.header('set-cookie', await deps.sessions.signOut(fetchHeaders(request)).catch(() => []))
    return reply.code(204).send()
  })

  typed.get('/me', async (request) => {
    const accounts = await deps.queries.myAccounts(userActor(request), {})
    return { user: request.sessionUser, accounts: accounts.map((a) => accountSummary(a, a.role)) }
  })
}
