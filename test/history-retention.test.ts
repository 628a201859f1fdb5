import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { operator } from '../src/core/model.ts'
import { composeKeyward, type Keyward } from '../src/main.ts'
import { keyedRequest } from './support/activity-rows.ts'
import { testDatabases } from './support/databases.ts'
import { testClock } from './support/keyward.ts'

const day = 86_400_000

describe.each(testDatabases)('retention on $name', (database) => {
  let keyward: Keyward | undefined
  afterEach(async () => {
    await keyward?.close()
    keyward = undefined
  })

  async function start(env: Record<string, string>) {
    const clock = testClock(Date.UTC(2026, 0, 1))
    keyward = await composeKeyward(loadConfig(env), { database: await database.open(), clock })
    return { keyward, clock }
  }
  const eventIds = async (k: Keyward) =>
    (await k.database.db.selectFrom('management_events').select('id').orderBy('created_at').execute()).map(
      (e) => e.id,
    )
  /** Rows by their time (the store gives them ids of its own). */
  const activityIds = async (k: Keyward) =>
    (await k.database.db.selectFrom('activity').select('at').orderBy('at').execute()).map((r) => Number(r.at))

  it('keeps management history for ever by default, while activity keeps 30 days', async () => {
    const { keyward, clock } = await start({})
    const account = await keyward.services.accounts.create(operator, { name: 'Old', plan: 'pro' })
    const old = keyedRequest({ at: clock(), accountId: account.id })
    const recent = keyedRequest({ at: clock() + 5 * day, accountId: account.id })
    await keyward.storage.activity.insertMany([old, recent])
    const events = await eventIds(keyward)
    clock.advance(1000 * day)
    await keyward.activity.prune()
    expect(await eventIds(keyward)).toEqual(events)
    expect(await activityIds(keyward)).toEqual([])

    clock.set(Date.UTC(2026, 0, 1) + 32 * day) // `old` is 32 days old, `recent` 27
    await keyward.storage.activity.insertMany([old, recent])
    await keyward.activity.prune()
    expect(await activityIds(keyward)).toEqual([recent.at])
  })

  it('deletes events older than KEYWARD_HISTORY_RETENTION_DAYS in the same job, and only those', async () => {
    const { keyward, clock } = await start({ KEYWARD_HISTORY_RETENTION_DAYS: '90' })
    const account = await keyward.services.accounts.create(operator, { name: 'Kept', plan: 'pro' })
    const project = await keyward.services.projects.create(operator, { accountId: account.id, name: 'P' })
    const before = await eventIds(keyward)
    clock.advance(60 * day)
    await keyward.services.keys.create(operator, { projectId: project.id, name: 'Younger' })
    const younger = (await eventIds(keyward)).filter((id) => !before.includes(id))
    expect(younger).toHaveLength(1)

    clock.advance(30 * day + 1) // the first events are now 90 days and 1 ms old; the key's event 30 days
    await keyward.activity.prune()
    expect(await eventIds(keyward)).toEqual(younger)
    // The append-only guard still stands outside the retention job.
    await expect(keyward.database.db.deleteFrom('management_events').execute()).rejects.toThrow(/append-only/)
    await expect(
      keyward.database.db.updateTable('management_events').set({ action: 'x' }).execute(),
    ).rejects.toThrow(/append-only/)
    expect(await eventIds(keyward)).toEqual(younger)
  })
})

it('refuses a KEYWARD_HISTORY_RETENTION_DAYS that is not a positive whole number', () => {
  for (const value of ['0', '-1', '1.5', 'forever'])
    expect(() => loadConfig({ KEYWARD_HISTORY_RETENTION_DAYS: value })).toThrow(
      `KEYWARD_HISTORY_RETENTION_DAYS must be a positive integer, got ${value}`,
    )
})
