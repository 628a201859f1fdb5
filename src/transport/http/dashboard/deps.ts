import type { FastifyRequest } from 'fastify'
import type { Actor, User } from '../../../core/model.ts'
import type { DashboardQueries } from '../../../core/read-models/index.ts'
import type { Services } from '../../../core/services.ts'
import type { SignInThrottle } from '../../../core/sign-in-throttle.ts'
import { type SessionGate, sessionCookieOf } from '../../../identity/sessions.ts'
import type { OAuthConsentDeps } from '../../oauth/consent.ts'

export const dashboardPrefix = '/api/dashboard'
/** The signed, HttpOnly cookie that holds the CSRF secret. */
export const csrfCookie = '_csrf'

export interface DashboardDeps {
  services: Services
  queries: DashboardQueries
  sessions: SessionGate
  throttle: SignInThrottle
  /** Signs the CSRF secret cookie. */
  cookieSecret: string
  /** Served over https (`KEYWARD_PUBLIC_URL`): every cookie is `Secure`. */
  secureCookies: boolean
  /** The consent page's API; only where the authorization server runs (`keyward serve`). */
  oauthConsent?: OAuthConsentDeps
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, set by the session hook on every dashboard route that is not public. */
    sessionUser?: User
  }
  interface FastifyContextConfig {
    /** Dashboard routes that answer without a session (CSRF token, sign-up, sign-in). */
    public?: boolean
  }
}

/** The signed-in user of a route that is not public. */
export function signedInUser(request: FastifyRequest): User {
  if (!request.sessionUser) throw new Error('dashboard route reached without a session') // the hook guarantees one
  return request.sessionUser
}

/** The signed-in user as the core's actor. */
export function userActor(request: FastifyRequest): Actor {
  return { kind: 'user', userId: signedInUser(request).id }
}

/** Fastify's headers as the Fetch API's, which the identity library reads. */
export function fetchHeaders(request: FastifyRequest): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value)
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v)
  }
  return headers
}

/** What a CSRF token is bound to: the session cookie, or a fixed word before sign-in (the library wants a value). */
export const csrfBinding =
  (secure: boolean) =>
  (request: FastifyRequest): string =>
    sessionCookieOf(request.cookies, secure) || 'signed-out'
