import { type Kysely, sql } from 'kysely'

/**
 * Why a request was refused (`reason`, DESIGN §9), the project a `wrong_project` request asked for, the response's
 * request id and, for MCP, the JSON-RPC id. `reason` replaces `auth_failure`, which named authentication failures
 * only: those are carried over, and 429s become `rate_limited`. Older 403s stay without a reason: whether the scope,
 * the project or the plan refused them was never stored.
 *
 * The partial index serves the reason filter: refusals are a small share of the rows, so it costs little to keep,
 * and "every missing_scope of the month" need not read the month.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds no more.
  for (const column of ['reason', 'requested_project_id', 'request_id', 'rpc_id'])
    await db.schema.alterTable('activity').addColumn(column, 'text').execute()
  await sql`update activity set reason = case auth_failure
      when 'missing' then 'missing_key' when 'unknown' then 'unknown_key' else auth_failure end
    where auth_failure is not null`.execute(db)
  await sql`update activity set reason = 'rate_limited' where status = 429 and reason is null`.execute(db)
  await db.schema.alterTable('activity').dropColumn('auth_failure').execute()
  await db.schema
    .createIndex('activity_account_reason')
    .on('activity')
    .columns(['account_id', 'reason', 'at'])
    .where(sql.ref('reason'), 'is not', null)
    .execute()
}
