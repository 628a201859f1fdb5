import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { Keyward } from '../src/main.ts'
import { teamWithProject, testClock, testKeyward } from './support/keyward.ts'

let keyward: Keyward
afterEach(() => keyward.close())

describe('resuming briefs left behind by a stopped process', () => {
  it('finishes queued briefs and expired generating ones without anyone asking, and leaves live ones alone', async () => {
    const clock = testClock(Date.UTC(2026, 10, 29, 12))
    keyward = await testKeyward({ clock })
    const { project } = await teamWithProject(keyward)
    const action = async (title: string) => {
      const id = randomUUID()
      await keyward.storage.actions.insert({
        id,
        projectId: project.id,
        title,
        type: 'content_update',
        status: 'backlog',
        priority: 'high',
        targetUrl: 'https://brand.example/pricing',
        createdAt: clock(),
        updatedAt: clock(),
        completedAt: null,
      })
      await keyward.storage.briefs.enqueue({ actionId: id, projectId: project.id, at: clock() })
      return id
    }
    const queued = await action('Queued before the crash')
    const crashed = await action('Generating when the process died')
    const live = await action('Generating elsewhere right now')
    expect(await keyward.storage.briefs.claim(crashed, clock(), clock() + 60_000)).toBe(true)
    clock.advance(61_000) // the crashed job's lease has run out…
    expect(await keyward.storage.briefs.claim(live, clock(), clock() + 60_000)).toBe(true) // …this one's has not

    expect(await keyward.services.analytics.resumeStalledBriefs()).toBe(2)
    expect((await keyward.storage.briefs.find(queued))?.status).toBe('ready')
    expect(await keyward.storage.briefs.find(crashed)).toMatchObject({ status: 'ready', attempts: 2 })
    expect((await keyward.storage.briefs.find(live))?.status).toBe('generating')
    expect((await keyward.storage.briefs.find(queued))?.markdown).toContain('Queued before the crash')
    expect(await keyward.services.analytics.resumeStalledBriefs()).toBe(0)
  })
})
