import { badRequest, conflict } from '../core/errors.ts'
import type { User } from '../core/model.ts'
import type { UserDirectory } from '../core/ports.ts'
import type { Auth } from './auth.ts'

/** What the dashboard needs from the identity library: sessions in cookies, passwords checked its way. */
export interface SessionGate {
  /** The signed-in user of a request's session cookie (and a renewed cookie, when the session was extended). */
  current(headers: Headers): Promise<SignedIn | null>
  /** A new session (a fresh id every time) and its Set-Cookie headers; null for a wrong email or password. */
  signIn(input: { email: string; password: string }, headers: Headers): Promise<SignedIn | null>
  signUp(input: { name: string; email: string; password: string }): Promise<User>
  /** Ends the session and returns the headers that clear its cookie. */
  signOut(headers: Headers): Promise<string[]>
}

/**
 * The session cookie's value as the browser sent it, or '' when there is none. It identifies the session without a
 * database read, which is what a CSRF token is bound to. The name is better-auth's exactly (prefixed `__Secure-` when
 * its base URL is https), and the value is the one it reads: a cookie of another name that merely ends the same way,
 * tossed in by an attacker, must not be what the token is checked against while better-auth reads the real one.
 */
export function sessionCookieOf(cookies: Record<string, string | undefined>, secure: boolean): string {
  return cookies[`${secure ? '__Secure-' : ''}better-auth.session_token`] ?? ''
}

export interface SignedIn {
  user: User
  setCookies: string[]
}

/**
 * The HTTP status of better-auth's APIError. Read from the error's shape, not by `instanceof`, so that importing
 * this module does not load better-auth (it is loaded lazily, on the first sign-in).
 */
const statusOf = (error: unknown): number | undefined =>
  typeof (error as { statusCode?: unknown })?.statusCode === 'number'
    ? (error as { statusCode: number }).statusCode
    : undefined

const userOf = (u: { id: string; email: string; name: string }): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
})

export function sessionGate(getAuth: () => Promise<Auth>, users: UserDirectory): SessionGate {
  return {
    async current(headers) {
      const auth = await getAuth()
      const { headers: answer, response } = await auth.api.getSession({ headers, returnHeaders: true })
      // A session in use is extended now and then; the cookie that carries the new expiry goes back with the answer.
      return response ? { user: userOf(response.user), setCookies: answer.getSetCookie() } : null
    },
    async signIn({ email, password }, headers) {
      const auth = await getAuth()
      try {
        const result = await auth.api.signInEmail({ body: { email, password }, headers, returnHeaders: true })
        return { user: userOf(result.response.user), setCookies: result.headers.getSetCookie() }
      } catch (error) {
        if (statusOf(error) === 401) return null
        throw error
      }
    },
    async signUp({ name, email, password }) {
      const auth = await getAuth()
      try {
        const { user } = await auth.api.signUpEmail({ body: { name, email, password } })
        // For a taken email better-auth answers with a stand-in user that was never stored (it hides which emails
        // exist). Without email verification there is no way to keep that secret on sign-up, so say it plainly.
        if (!(await users.findById(user.id))) throw conflict('An account with this email already exists')
        return userOf(user)
      } catch (error) {
        // better-auth's own words ("User already exists", "Password too short") are fit to show.
        if (statusOf(error) === 422) throw conflict((error as Error).message)
        if (statusOf(error) === 400) throw badRequest((error as Error).message)
        throw error
      }
    },
    async signOut(headers) {
      const auth = await getAuth()
      const result = await auth.api.signOut({ headers, returnHeaders: true })
      return result.headers.getSetCookie()
    },
  }
}
