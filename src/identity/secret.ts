import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { KeywardTables } from '../storage/schema.ts'

/**
 * The signing secret for sessions: `KEYWARD_AUTH_SECRET` if set, otherwise one generated at first start and kept
 * in the database, so that every node of a cluster and every restart share it without set-up.
 */
export async function loadAuthSecret(
  db: Kysely<KeywardTables>,
  fromEnv: string | undefined,
): Promise<string> {
  if (fromEnv) return fromEnv
  await db
    .insertInto('instance_settings')
    .values({ name: 'auth_secret', value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  const row = await db
    .selectFrom('instance_settings')
    .select('value')
    .where('name', '=', 'auth_secret')
    .executeTakeFirstOrThrow()
  return row.value
}
