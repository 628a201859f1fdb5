import { type Kysely, sql } from 'kysely'
import type { KeyUsageLog } from '../../core/read-models/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { latencyColumns } from '../stores/activity-hourly-routes.ts'

const dayMs = 86_400_000

/** A key's usage from the per-key route rollup (migration 0011): an index range of one key's hours. */
export function keyUsageLog(db: Kysely<KeywardTables>): KeyUsageLog {
  const keyHours = (keyId: string, { from, to }: { from: number; to: number }) =>
    db
      .selectFrom('activity_hourly_routes')
      .where('key_id', '=', keyId)
      .where('hour', '>=', from)
      .where('hour', '<', to)

  return {
    async byDay(keyId, range) {
      // A literal, not a parameter: Postgres must see the select and the group by as the same expression.
      const day = sql<number>`(hour / ${sql.lit(dayMs)}) * ${sql.lit(dayMs)}`
      const rows = await keyHours(keyId, range)
        .select((eb) => [
          day.as('day'),
          eb.fn.sum<number | string>('requests').as('requests'),
          eb.fn.sum<number | string>('errors').as('errors'),
          eb.fn.max<number | string>('last_at').as('last_at'),
          eb.fn.max<number | string>('latency_max_ms').as('slowest_ms'),
          ...latencyColumns.map((column) => sql<number | string>`sum(${sql.ref(column)})`.as(column)),
        ])
        .groupBy(day)
        .execute()
      return rows.map((row) => ({
        day: Number(row.day),
        requests: Number(row.requests),
        errors: Number(row.errors),
        lastAt: Number(row.last_at),
        slowestMs: Number(row.slowest_ms),
        latencyCounts: latencyColumns.map((column) => Number((row as Record<string, unknown>)[column])),
      }))
    },

    async topRoutes(keyId, range, limit) {
      const requests = sql<number | string>`sum(requests)`
      const rows = await keyHours(keyId, range)
        .select((eb) => [
          'method',
          'route',
          requests.as('requests'),
          eb.fn.sum<number | string>('errors').as('errors'),
        ])
        .groupBy(['method', 'route'])
        .orderBy(requests, 'desc')
        .orderBy('method')
        .orderBy('route')
        .limit(limit)
        .execute()
      return rows.map((row) => ({
        method: row.method,
        route: row.route === '' ? null : row.route,
        requests: Number(row.requests),
        errors: Number(row.errors),
      }))
    },
  }
}
