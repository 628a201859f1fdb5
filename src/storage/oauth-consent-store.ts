import type { Kysely } from 'kysely'
import type { OAuthGrantRecorder } from '../core/oauth-consent.ts'
import type { KeywardTables } from './schema.ts'
import { eventStore } from './stores/events.ts'

/** Keyward's grant row and its History event, in one transaction (the event also feeds the audit stream). */
export function oauthGrantRecorder(
  db: Kysely<KeywardTables>,
  options: { auditStream?: boolean } = {},
): OAuthGrantRecorder {
  return {
    async record(grant, event) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('oauth_grants')
          .values({
            id: grant.id,
            account_id: grant.accountId,
            project_id: grant.projectId,
            user_id: grant.userId,
            client_id: grant.clientId,
            client_name: grant.clientName,
            redirect_host: grant.redirectHost,
            scopes: JSON.stringify(grant.scopes),
            created_at: grant.createdAt,
          })
          .execute()
        await eventStore(trx, { streamed: options.auditStream }).append(event)
      })
    },
  }
}

/**
 * Until Keyward's grant revocation use-case is composed in, what oidc-provider's own revocations (a reused refresh
 * token or code, a client revoking its refresh token) do to Keyward's record: the grant ends, once.
 */
export async function markGrantRevoked(
  db: Kysely<KeywardTables>,
  grantId: string,
  at: number,
): Promise<void> {
  await db
    .updateTable('oauth_grants')
    .set({ revoked_at: at })
    .where('id', '=', grantId)
    .where('revoked_at', 'is', null)
    .execute()
}
