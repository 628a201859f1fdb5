import { describe, expect, it } from 'vitest'
import { migrateToLatest } from '../src/storage/database.ts'
import { activityLog } from '../src/storage/read-models/activity.ts'
import { testDatabases } from './support/databases.ts'

const hour = 3_600_000
const halfDay = 12 * hour
const start = Date.UTC(2026, 10, 1, 0, 0, 0)

/** Hourly rollup rows as 0021 left them: two keys over two days, several hours in each 12-hour span. */
const hourly = Array.from({ length: 48 }, (_, i) => i)
  .filter((i) => i % 5 !== 3)
  .flatMap((i) => [
    {
      account_id: 'acc-a',
      hour: start + i * hour,
      key_id: 'k-1',
      status_class: '2xx',
      project_id: 'p-1',
      requests: 10 + i,
      last_at: start + i * hour + 1000 + i,
    },
    {
      account_id: 'acc-a',
      hour: start + i * hour,
      key_id: i % 2 === 0 ? 'k-1' : 'k-2',
      status_class: i % 3 === 0 ? '5xx' : '4xx',
      project_id: i % 2 === 0 ? 'p-1' : 'p-2',
      requests: 1 + (i % 4),
      last_at: start + i * hour + 2000,
    },
  ])
const shapes = hourly.map((row, i) => ({
  account_ref: 1,
  hour: row.hour,
  key_ref: row.key_id === 'k-1' ? 2 : 3,
  shape_ref: 4 + (i % 3),
  reason_code: i % 2,
  project_ref: row.project_id === 'p-1' ? 5 : 6,
  requests: row.requests,
}))

/** The hourly rows summed by 12-hour span and the given columns, as the backfill must. */
function bySpan<T extends { hour: number; requests: number }>(rows: T[], id: (row: T) => string) {
  const sums = new Map<string, number>()
  for (const row of rows) {
    const key = `${Math.floor(row.hour / halfDay) * halfDay}/${id(row)}`
    sums.set(key, (sums.get(key) ?? 0) + row.requests)
  }
  return [...sums].map(([key, n]) => `${key}=${n}`).sort()
}

describe.each(testDatabases)('migration 0022 on $name', (database) => {
  it('fills the 12-hour rollups from the hourly ones, and the chart and per-key usage read them', async () => {
    const { db, close } = await database.open({ upTo: '0021-activity-compact' })
    try {
      await db.insertInto('activity_hourly').values(hourly).execute()
      await db.insertInto('activity_hourly_shapes').values(shapes).execute()
      await migrateToLatest(db)

      const plain = await db.selectFrom('activity_half_day').selectAll().execute()
      expect(plain.every((r) => Number(r.half_day) % halfDay === 0)).toBe(true)
      expect(
        bySpan(
          plain.map((r) => ({ ...r, hour: Number(r.half_day), requests: Number(r.requests) })),
          (r) => `${r.key_id}/${r.status_class}/${r.project_id}`,
        ),
      ).toEqual(bySpan(hourly, (r) => `${r.key_id}/${r.status_class}/${r.project_id}`))
      const lastAt = (rows: { key_id: string; last_at: number | string }[]) =>
        Math.max(...rows.filter((r) => r.key_id === 'k-2').map((r) => Number(r.last_at)))
      expect(lastAt(plain)).toBe(lastAt(hourly))
      const shapeRows = await db.selectFrom('activity_half_day_shapes').selectAll().execute()
      const shapeId = (r: { key_ref: number; shape_ref: number; reason_code: number; project_ref: number }) =>
        `${r.key_ref}/${r.shape_ref}/${r.reason_code}/${r.project_ref}`
      expect(
        bySpan(
          shapeRows.map((r) => ({ ...r, hour: Number(r.half_day), requests: Number(r.requests) })),
          shapeId,
        ),
      ).toEqual(bySpan(shapes, shapeId))

      // Whole 12-hour spans only: these answers come from the backfilled tables.
      const log = activityLog(db)
      const total = (keyId: string) =>
        hourly.filter((r) => r.key_id === keyId).reduce((sum, r) => sum + r.requests, 0)
      const usage = (await log.usageByKey('acc-a', start)).sort((a, b) => a.keyId.localeCompare(b.keyId))
      expect(usage.map((u) => [u.keyId, u.requests])).toEqual([
        ['k-1', total('k-1')],
        ['k-2', total('k-2')],
      ])
      const points = await log.series(
        { accountId: 'acc-a', from: start, to: start + 4 * halfDay - 1 },
        halfDay,
      )
      const chart = new Map<string, number>()
      for (const p of points) chart.set(`${p.start}`, (chart.get(`${p.start}`) ?? 0) + p.count)
      expect([...chart].map(([s, n]) => `${s}/x=${n}`).sort()).toEqual(bySpan(hourly, () => 'x'))
    } finally {
      await close()
    }
  })
})
