import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Keyward } from '../../src/main.ts'

export const testPassword = 'correct horse battery staple'

const safe = new Set(['GET', 'HEAD'])

/**
 * A browser's view of the dashboard API through `inject()`: it keeps the cookies it is given and sends the CSRF
 * token on every state-changing request, unless told not to.
 */
export class DashboardClient {
  readonly cookies = new Map<string, string>()
  private csrfToken?: string

  constructor(
    private readonly app: FastifyInstance,
    /** The client's IP as the server sees it. */
    private readonly remoteAddress = '127.0.0.1',
  ) {}

  async request(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    options: { csrf?: boolean | string; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...options.headers }
    if (!safe.has(method) && options.csrf !== false) {
      headers['x-csrf-token'] = typeof options.csrf === 'string' ? options.csrf : await this.csrf()
    }
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const response = await this.app.inject({
      method,
      url: `/api/dashboard${path}`,
      headers,
      remoteAddress: this.remoteAddress,
      ...(body === undefined ? {} : { payload: body as object }),
    })
    for (const c of response.cookies as Array<{
      name: string
      value: string
      maxAge?: number
      expires?: Date
    }>) {
      const expired = c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now())
      if (expired || c.value === '') {
        this.cookies.delete(c.name)
        if (c.name === '_csrf') this.csrfToken = undefined // a new session needs a new token
      } else this.cookies.set(c.name, c.value)
    }
    return response
  }

  async csrf(): Promise<string> {
    if (!this.csrfToken) this.csrfToken = (await this.request('GET', '/csrf')).json().token as string
    return this.csrfToken
  }

  async signIn(email: string, password = testPassword): Promise<LightMyRequestResponse> {
    return this.request('POST', '/auth/sign-in', { email, password })
  }
}

/** A signed-in client for an existing user. */
export async function signedIn(
  app: FastifyInstance,
  keyward: Keyward,
  userId: string,
): Promise<DashboardClient> {
  const user = await keyward.users.findById(userId)
  if (!user) throw new Error(`no user ${userId}`)
  const client = new DashboardClient(app)
  const response = await client.signIn(user.email)
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`)
  return client
}
