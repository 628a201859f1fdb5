import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { composeKeyward } from '../src/main.ts'
import { startUntil } from './support/cli.ts'

let dir: string
let env: Record<string, string>
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyward-serve-'))
  env = { DATABASE_URL: join(dir, 'data', 'keyward.db'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('serving', () => {
  it('npm start creates the database, prints the demo facts and a working key, and serves /healthz', async () => {
    const server = startUntil(
      'npm',
      ['start', '--silent'],
      env,
      /Keyward is serving on (http:\/\/localhost:\d+)/,
    )
    try {
      const [, url] = await server.matched
      const output = server.lines.join('\n')
      const [, shownUrl, email, password] =
        output.match(/Open (\S+) and sign in as (owner@demo\.keyward\.test) with password (\S{12,})/) ?? []
      expect(shownUrl).toBe(url)
      // The printed credentials sign in to the dashboard, over real HTTP.
      const csrf = await fetch(`${url}/api/dashboard/csrf`)
      const signIn = await fetch(`${url}/api/dashboard/auth/sign-in`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-csrf-token': (await csrf.json()).token,
          cookie: csrf.headers
            .getSetCookie()
            .map((c) => c.split(';')[0])
            .join('; '),
        },
        body: JSON.stringify({ email, password }),
      })
      expect(signIn.status).toBe(200)
      expect(signIn.headers.getSetCookie().some((c) => c.includes('session_token='))).toBe(true)
      const key = output.match(/Demo API key for Marketing site .*\n\s+(dtk_live_[0-9a-f]{64})/)?.[1] ?? ''
      const tryIt = output.match(
        /(http:\/\/localhost:\d+\/api\/v2\/projects\/[0-9a-f-]{36}\/visibility\/summary)/,
      )?.[1]
      expect(tryIt?.startsWith(url ?? 'missing')).toBe(true)
      const tried = await fetch(tryIt ?? '', { headers: { authorization: `Bearer ${key}` } })
      expect(tried.status).toBe(200)
      expect((await tried.json()).data.totalRuns).toBeGreaterThan(0)
      expect(key).not.toBe('')

      const health = await fetch(`${url}/healthz`)
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual({ status: 'ok' })

      // MCP OAuth: `keyward serve` runs the authorization server, its issuer KEYWARD_PUBLIC_URL.
      const metadata = await fetch(`${url}/.well-known/oauth-authorization-server`)
      expect(metadata.status).toBe(200)
      expect(await metadata.json()).toMatchObject({
        issuer: loadConfig(env).publicUrl,
        code_challenge_methods_supported: ['S256'],
      })

      const keyward = await composeKeyward(loadConfig(env))
      expect(await keyward.verifier.verify(key)).toMatchObject({
        ok: true,
        key: { plan: 'pro', scopes: null },
      })
      await keyward.close()
    } finally {
      if (server.child.pid) process.kill(-server.child.pid, 'SIGTERM')
      await server.exited
    }
  })

  it('keyward serve skips the demo on a database that has data, and exits cleanly on SIGTERM', async () => {
    const server = startUntil(
      process.execPath,
      ['bin/keyward.js', 'serve', '--demo', '--json'],
      env,
      /^\{.*"url".*\}$/,
    )
    const [line] = await server.matched
    const started = JSON.parse(line)
    expect(started).toEqual({ url: expect.stringMatching(/^http:\/\/localhost:\d+$/), demo: null })
    expect((await fetch(`${started.url}/healthz`)).status).toBe(200)
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })
})
