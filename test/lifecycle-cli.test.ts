import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { composeKeyward } from '../src/main.ts'
import { runCli, startUntil } from './support/cli.ts'
import { teamWithProject, testClock } from './support/keyward.ts'
import { keyEvents } from './support/notifications.ts'
import { startReceiver } from './support/receiver.ts'

const day = 86_400_000

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyward-lifecycle-cli-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('keyward lifecycle run', () => {
  it('sends the due notices once, delivers their webhooks, and prints what it sent', async () => {
    const receiver = await startReceiver()
    const env = {
      DATABASE_URL: join(dir, 'run.db'),
      KEYWARD_ALLOW_HTTP_WEBHOOKS: '1',
      LOG_LEVEL: 'silent',
    }
    try {
      // A 30-day key made 25 days ago: 5 days left, so its 7-day notice is due.
      const keyward = await composeKeyward(loadConfig(env), { clock: testClock(Date.now() - 25 * day) })
      const { project, owner } = await teamWithProject(keyward)
      await keyward.services.webhooks.create(owner, {
        projectId: project.id,
        url: receiver.url,
        events: [...keyEvents],
      })
      const key = await keyward.services.keys.create(owner, {
        projectId: project.id,
        name: 'Old',
        expires: '30d',
      })
      await keyward.close()

      const first = await runCli(['lifecycle', 'run', '--json'], env)
      expect(first.stderr).toBe('')
      expect(first.code).toBe(0)
      const summary = JSON.parse(first.stdout)
      expect(summary).toEqual({
        notices: [
          {
            event: 'api_key.created',
            keyId: key.id,
            keyName: 'Old',
            projectId: project.id,
            deliveries: 1,
            emails: 0,
          },
          {
            event: 'api_key.expiring',
            keyId: key.id,
            keyName: 'Old',
            projectId: project.id,
            deliveries: 1,
            emails: 0,
            daysBefore: 7,
          },
        ],
        webhookDeliveries: { attempted: 2, delivered: 2 },
        emails: { enabled: false, sent: 0, failed: 0 },
      })
      expect(receiver.received.map((r) => r.headers['x-devtune-event']).sort()).toEqual([
        'api_key.created',
        'api_key.expiring',
      ])

      const second = await runCli(['lifecycle', 'run', '--json'], env)
      expect(second.code).toBe(0)
      expect(JSON.parse(second.stdout)).toMatchObject({ notices: [], webhookDeliveries: { attempted: 0 } })
      expect(receiver.received).toHaveLength(2)

      const text = await runCli(['lifecycle', 'run'], env)
      expect(text.stdout).toBe('0 notices; webhooks 0 of 0 delivered; email is off (no SMTP_URL)\n')
    } finally {
      await receiver.close()
    }
  })

  it('refuses a bad SMTP configuration with exit 1 and one line', async () => {
    const env = { DATABASE_URL: join(dir, 'bad.db'), SMTP_URL: 'http://mail.example.test' }
    const bad = await runCli(['lifecycle', 'run', '--json'], { ...env, KEYWARD_MAIL_FROM: 'k@example.test' })
    expect(bad.code).toBe(1)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toContain('SMTP_URL must be an smtp:// or smtps:// URL')
    const noFrom = await runCli(['lifecycle', 'run'], { ...env, SMTP_URL: 'smtp://u:p@127.0.0.1:2525' })
    expect(noFrom.code).toBe(1)
    expect(noFrom.stderr).toContain('KEYWARD_MAIL_FROM must be set')
  })
})

describe('keyward serve without SMTP', () => {
  it('starts and logs once that email is off', async () => {
    const env = { DATABASE_URL: join(dir, 'serve.db'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }
    const server = startUntil(process.execPath, ['bin/keyward.js', 'serve'], env, /Keyward is serving on/)
    try {
      await server.matched
      const health = await fetch(`${server.lines.join('\n').match(/serving on (http:\S+)/)?.[1]}/healthz`)
      expect(health.status).toBe(200)
      const emailOff = [...server.lines, ...server.stderr().split('\n')].filter((l) =>
        l.includes('email notices are off'),
      )
      expect(emailOff).toHaveLength(1)
      expect(JSON.parse(emailOff[0] ?? '{}')).toMatchObject({
        level: 30,
        msg: 'email notices are off (set SMTP_URL and KEYWARD_MAIL_FROM to send them)',
      })
    } finally {
      if (server.child.pid) process.kill(-server.child.pid, 'SIGTERM')
      await server.exited
    }
  })
})
