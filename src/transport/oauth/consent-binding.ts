import { createHmac, timingSafeEqual } from 'node:crypto'
import { dashboardPrefix } from '../http/dashboard/deps.ts'

/** Set on the browser that started an authorization, for that authorization's consent API only. */
export const consentBindingCookie = 'keyward_consent'

/**
 * Ties an authorization's consent to the browser that started it. The consent API finds an authorization by its uid,
 * which a link can carry to anyone: without this, an attacker could start an authorization in their own browser,
 * send its consent page to a signed-in member, and receive the code the member's consent releases (the provider
 * resumes in whichever browser holds its resume cookie). The consent page's address answers with this cookie only
 * to the browser that holds the provider's own interaction cookie for that uid; the consent API (on another path,
 * where the provider's cookie is not sent) asks for it.
 */
export function consentBinding(secret: string, options: { secure: boolean }) {
  const key = createHmac('sha256', secret).update('keyward oauth consent binding').digest()
  const tag = (uid: string) => createHmac('sha256', key).update(uid).digest('base64url')
  return {
    /** The Set-Cookie header for the browser that started authorization `uid`. */
    cookie(uid: string, maxAgeSeconds: number): string {
      const path = `${dashboardPrefix}/oauth/interactions/${encodeURIComponent(uid)}`
      const secure = options.secure ? '; Secure' : ''
      return `${consentBindingCookie}=${tag(uid)}; Path=${path}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; SameSite=Lax${secure}`
    },
    /** Whether this cookie value binds this browser to authorization `uid`. */
    holds(uid: string, value: string | undefined): boolean {
      if (value === undefined) return false
      const expected = Buffer.from(tag(uid))
      const given = Buffer.from(value)
      return given.length === expected.length && timingSafeEqual(given, expected)
    },
  }
}

export type ConsentBinding = ReturnType<typeof consentBinding>
