import type { Kysely } from 'kysely'
import type { SeriesStore } from '../../core/analytics/ports.ts'
import type { KeywardTables } from '../schema.ts'

const rowsPerStatement = 500

export function seriesStore(db: Kysely<KeywardTables>): SeriesStore {
  return {
    async insertAdoption(points) {
      for (let i = 0; i < points.length; i += rowsPerStatement) {
        await db
          .insertInto('adoption_series')
          .values(
            points.slice(i, i + rowsPerStatement).map((p) => ({
              project_id: p.projectId,
              day: p.day,
              source: p.source,
              name: p.name,
              value: p.value,
            })),
          )
          .execute()
      }
    },
    async insertTraffic(points) {
      for (let i = 0; i < points.length; i += rowsPerStatement) {
        await db
          .insertInto('traffic_series')
          .values(
            points.slice(i, i + rowsPerStatement).map((p) => ({
              project_id: p.projectId,
              day: p.day,
              source: p.source,
              landing_page: p.landingPage,
              visits: p.visits,
            })),
          )
          .execute()
      }
    },
    async adoption(projectId, from, to) {
      const rows = await db
        .selectFrom('adoption_series')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('day', '>=', from)
        .where('day', '<=', to)
        .orderBy('day')
        .orderBy('source')
        .orderBy('name')
        .execute()
      return rows.map((r) => ({
        projectId: r.project_id,
        day: Number(r.day),
        source: r.source as 'npm' | 'github',
        name: r.name,
        value: Number(r.value),
      }))
    },
    async trafficBy(projectId, from, to, by) {
      const column = by === 'day' ? 'day' : by === 'source' ? 'source' : 'landing_page'
      const rows = await db
        .selectFrom('traffic_series')
        .select((eb) => [eb.ref(column).as('key'), eb.fn.sum('visits').as('visits')])
        .where('project_id', '=', projectId)
        .where('day', '>=', from)
        .where('day', '<=', to)
        .groupBy(column)
        .orderBy(column)
        .execute()
      return rows.map((r) => ({ key: String(r.key), visits: Number(r.visits ?? 0) }))
    },
  }
}
