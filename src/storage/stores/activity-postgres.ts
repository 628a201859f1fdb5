import { type Kysely, type RawBuilder, sql } from 'kysely'
import { activityReasons } from '../../core/activity-reason.ts'
import {
  clientColumns,
  clientOf,
  encodeLatency,
  encodeReason,
  encodeRequestId,
  idAt,
  type LegacyActivityRow,
  shapeColumns,
  shapeOf,
} from '../activity-codec.js'
import { Dictionary } from './activity-dictionary.ts'

const dayMs = 86_400_000
const hourMs = 3_600_000
/** The ids of an hour: 2^20 per millisecond. */
const hourIds = `${1_048_576n * 3_600_000n}`
const halfDayIds = `${1_048_576n * 43_200_000n}`
const halfDayMs = 43_200_000
/** Rows per INSERT … SELECT FROM unnest(…): 12 array parameters whatever the count, so only memory bounds it. */
const rowsPerStatement = 10_000

/** A day's partition of `activity_log`: its name and its id bounds. */
export function partitionOf(day: number) {
  const start = day * dayMs
  const date = new Date(start).toISOString().slice(0, 10).replaceAll('-', '')
  return { name: `activity_log_p${date}`, from: idAt(start), to: idAt(start + dayMs) }
}

const dayOfPartition = (name: string): number | undefined => {
  const match = /^activity_log_p(\d{4})(\d{2})(\d{2})$/.exec(name)
  if (!match) return undefined
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / dayMs
}

const isMissingPartition = (error: unknown) =>
  (error as { code?: string }).code === '23514' && /no partition/.test(String(error))

/**
 * Agent Activity on Postgres: rows in the compact format (migration 0021), one INSERT from unnest() per 10,000, in
 * `activity_log`, partitioned by day. Partitions are created ahead (today and the next two days, at each retention
 * run) and on demand for a batch with a day that has none; retention drops whole days.
 */
export class PostgresActivityWriter {
  private readonly names = new Dictionary('activity_names', ['name'], ['text'], 't.name = g.v0')
  private readonly shapes = new Dictionary(
    'activity_shapes',
    shapeColumns,
    ['text', 'text', 'text', 'int4', 'text', 'int4'],
    shapeColumns.map((c, i) => `t.${c} is not distinct from g.v${i}`).join(' and '),
  )
  private readonly clients = new Dictionary(
    'activity_clients',
    clientColumns,
    ['text', 'text'],
    `md5(coalesce(t.client_ip, '') || chr(1) || coalesce(t.user_agent, ''))
      = md5(coalesce(g.v0, '') || chr(1) || coalesce(g.v1, ''))
      and t.client_ip is not distinct from g.v0 and t.user_agent is not distinct from g.v1`,
  )
  private readonly partitions = new Set<number>()

  /** Writes the rows, and in the same transaction whatever `alongside` writes (the rollups). */
  async write(
    db: Kysely<unknown>,
    rows: readonly LegacyActivityRow[],
    alongside: (trx: Kysely<unknown>) => Promise<void> = async () => {},
  ): Promise<void> {
    const names = new Map<string, readonly unknown[]>()
    const shapes = new Map<string, readonly unknown[]>()
    const clients = new Map<string, readonly unknown[]>()
    const keyed = rows.map((row) => {
      for (const text of [
        row.account_id,
        row.project_id,
        row.key_id,
        row.path,
        row.requested_project_id,
        row.rpc_id,
      ])
        if (text !== null) names.set(text, [text])
      const shape = shapeOf(row)
      const client = clientOf(row)
      const keys = { shape: JSON.stringify(shape), client: JSON.stringify(client) }
      shapes.set(keys.shape, shape)
      clients.set(keys.client, client)
      return keys
    })
    await this.names.resolve(db, names)
    await this.shapes.resolve(db, shapes)
    await this.clients.resolve(db, clients)

    const nameRef = (text: string | null) => (text === null ? 0 : this.names.idOf(text))
    const columns = {
      id: [] as string[],
      account: [] as number[],
      project: [] as number[],
      key: [] as number[],
      shape: [] as number[],
      path: [] as number[],
      client: [] as number[],
      latency: [] as number[],
      requested: [] as number[],
      rpc: [] as number[],
      reason: [] as number[],
      requestId: [] as Buffer[],
    }
    const days = new Set<number>()
    for (const [i, row] of rows.entries()) {
      const keys = keyed[i] as { shape: string; client: string }
      days.add(Math.floor(row.at / dayMs))
      columns.id.push(row.id)
      columns.account.push(nameRef(row.account_id))
      columns.project.push(nameRef(row.project_id))
      columns.key.push(nameRef(row.key_id))
      columns.shape.push(this.shapes.idOf(keys.shape))
      columns.path.push(nameRef(row.path))
      columns.client.push(this.clients.idOf(keys.client))
      columns.latency.push(encodeLatency(row.latency_ms))
      columns.requested.push(nameRef(row.requested_project_id))
      columns.rpc.push(nameRef(row.rpc_id))
      columns.reason.push(encodeReason(activityReasons, row.reason))
      columns.requestId.push(encodeRequestId(row.request_id))
    }
    await this.ensurePartitions(db, days)
    const insert = async (trx: Kysely<unknown>) => {
      for (let start = 0; start < rows.length; start += rowsPerStatement) {
        const slice = <T>(values: T[]) => values.slice(start, start + rowsPerStatement)
        const arrays: RawBuilder<unknown>[] = [
          sql`${slice(columns.id)}::int8[]`,
          ...[
            columns.account,
            columns.project,
            columns.key,
            columns.shape,
            columns.path,
            columns.client,
            columns.latency,
            columns.requested,
            columns.rpc,
          ].map((values) => sql`${slice(values)}::int4[]`),
          sql`${slice(columns.reason)}::int2[]`,
          sql`${slice(columns.requestId)}::bytea[]`,
        ]
        await sql`insert into activity_log (id, account_ref, project_ref, key_ref, shape_ref, path_ref, client_ref,
            latency_cs, requested_ref, rpc_ref, reason_code, request_id)
          select * from unnest(${sql.join(arrays)})`.execute(trx)
        await sql`insert into activity_hourly_shapes (account_ref, hour, key_ref, shape_ref, reason_code,
            project_ref, requests)
          select account, (id / ${sql.lit(hourIds)}) * ${sql.lit(hourMs)} as hour, key, shape, reason, max(project),
            count(*)
          from unnest(${arrays[0]}, ${arrays[1]}, ${arrays[2]}, ${arrays[3]}, ${arrays[4]}, ${arrays[10]})
            as u(id, account, project, key, shape, reason)
          where account <> 0
          group by account, hour, key, shape, reason
          order by account, hour, key, shape, reason
          on conflict (account_ref, hour, key_ref, shape_ref, reason_code)
          do update set requests = activity_hourly_shapes.requests + excluded.requests`.execute(trx)
        // The same counts by 12-hour span (migration 0022), for the charts' whole 12-hour buckets.
        await sql`insert into activity_half_day_shapes (account_ref, half_day, key_ref, shape_ref, reason_code,
            project_ref, requests)
          select account, (id / ${sql.lit(halfDayIds)}) * ${sql.lit(halfDayMs)} as half_day, key, shape,
            reason, max(project), count(*)
          from unnest(${arrays[0]}, ${arrays[1]}, ${arrays[2]}, ${arrays[3]}, ${arrays[4]}, ${arrays[10]})
            as u(id, account, project, key, shape, reason)
          where account <> 0
          group by account, half_day, key, shape, reason
          order by account, half_day, key, shape, reason
          on conflict (account_ref, half_day, key_ref, shape_ref, reason_code)
          do update set requests = activity_half_day_shapes.requests + excluded.requests`.execute(trx)
      }
      await alongside(trx)
    }
    try {
      await db.transaction().execute(insert)
    } catch (error) {
      // Retention (here or on another server) dropped a day this process still had in mind.
      if (!isMissingPartition(error)) throw error
      this.partitions.clear()
      await this.ensurePartitions(db, days)
      await db.transaction().execute(insert)
    }
  }

  /** Creates the partitions of these days (day numbers since the epoch) that this process does not know of. */
  async ensurePartitions(db: Kysely<unknown>, days: Iterable<number>): Promise<void> {
    for (const day of days) {
      if (this.partitions.has(day)) continue
      const { name, from, to } = partitionOf(day)
      try {
        await sql`create table if not exists ${sql.table(name)} partition of activity_log
          for values from (${sql.lit(from.toString())}) to (${sql.lit(to.toString())})`.execute(db)
      } catch (error) {
        // Another server created it at the same moment.
        if ((error as { code?: string }).code !== '42P07') throw error
      }
      this.partitions.add(day)
    }
  }

  /**
   * Drops the days that ended at or before `before`; rows of the day it falls in stay until that day has passed
   * too (reads filter by time anyway). Answers how many rows went: counted for small days, estimated for large ones.
   */
  async dropBefore(db: Kysely<unknown>, before: number, now = Date.now()): Promise<number> {
    const today = Math.floor(now / dayMs)
    await this.ensurePartitions(db, [today, today + 1, today + 2])
    const partitions = await sql<{ name: string; estimate: number }>`
      select c.relname as name, c.reltuples as estimate
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'activity_log'::regclass`.execute(db)
    let dropped = 0
    for (const { name, estimate } of partitions.rows) {
      const day = dayOfPartition(name)
      if (day === undefined || (day + 1) * dayMs > before) continue
      const table = sql.table(name)
      if (Number(estimate) > 1_000_000) dropped += Math.round(Number(estimate))
      else {
        const counted = await sql<{ n: number }>`select count(*) as n from ${table}`.execute(db)
        dropped += Number(counted.rows[0]?.n ?? 0)
      }
      await sql`drop table if exists ${table}`.execute(db)
      this.partitions.delete(day)
    }
    return dropped
  }
}
