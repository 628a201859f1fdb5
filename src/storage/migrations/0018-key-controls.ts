import type { Kysely } from 'kysely'

/**
 * Per-key controls (issue #16 §3): a pause switch (`disabled_at`), an IP allowlist (JSON array of canonical CIDRs,
 * NULL for any address), a per-minute limit at or below the plan's (NULL for the plan's), and a description and
 * tags (JSON array) for finding keys. All nullable, so keys written before this migration keep working unchanged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('disabled_at', 'bigint').execute()
  await db.schema.alterTable('api_keys').addColumn('allowed_ips', 'text').execute()
  await db.schema.alterTable('api_keys').addColumn('rate_limit_per_minute', 'integer').execute()
  await db.schema.alterTable('api_keys').addColumn('description', 'text').execute()
  await db.schema.alterTable('api_keys').addColumn('tags', 'text').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['tags', 'description', 'rate_limit_per_minute', 'allowed_ips', 'disabled_at'])
    await db.schema.alterTable('api_keys').dropColumn(column).execute()
}
