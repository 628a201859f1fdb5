import type { Kysely } from 'kysely'
import type { KeywardTables } from './schema.ts'

/** What oidc-provider stores for one model instance (its adapter interface's payload). */
export type OAuthPayload = Record<string, unknown> & {
  grantId?: string
  uid?: string
  userCode?: string
  consumed?: number
}

/** oidc-provider's adapter interface (lib/adapters/memory_adapter.js), as this store implements it. */
export interface OAuthStoreAdapter {
  upsert(id: string, payload: OAuthPayload, expiresIn: number): Promise<void>
  find(id: string): Promise<OAuthPayload | undefined>
  findByUid(uid: string): Promise<OAuthPayload | undefined>
  findByUserCode(userCode: string): Promise<OAuthPayload | undefined>
  consume(id: string): Promise<void>
  destroy(id: string): Promise<void>
  revokeByGrantId(grantId: string): Promise<void>
}

export interface OAuthAdapterOptions {
  /**
   * Called once each time oidc-provider revokes a grant: a reused refresh token or authorization code, or a client
   * revoking its refresh token (RFC 7009). Composition makes it Keyward's grant revocation.
   */
  onGrantRevoked(grantId: string): Promise<void>
  /**
   * Real time, not Keyward's injectable clock: oidc-provider stamps its own tokens with Date.now(), and rows must
   * expire on the same time line as the tokens they hold.
   */
  now?: () => number
  /**
   * A client ID that is an https URL names its metadata document: fetched (through the guarded agent) when no
   * registered client has that ID, and kept here for `documentCacheSeconds`.
   */
  clientMetadataDocument?: (clientId: string) => Promise<OAuthPayload | undefined>
}

/** How long a fetched client metadata document is used before it is fetched again. */
const documentCacheSeconds = 300

/** Expired rows are swept at most this often, by whichever write comes first (no timer to stop). */
const sweepEveryMs = 60_000

/**
 * oidc-provider's storage on Kysely (SQLite and Postgres alike): table `oauth_store`, one row per model instance.
 * Rows past `expires_at` are never returned, and are deleted in a cheap sweep now and then.
 */
export function oauthAdapterFactory(db: Kysely<KeywardTables>, options: OAuthAdapterOptions) {
  const now = options.now ?? Date.now
  let lastSweep = 0
  const sweep = async () => {
    const at = now()
    if (at - lastSweep < sweepEveryMs) return
    lastSweep = at
    await db.deleteFrom('oauth_store').where('expires_at', '<', at).execute()
  }

  return class KyselyOAuthAdapter implements OAuthStoreAdapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: OAuthPayload, expiresIn: number) {
      const row = {
        payload: JSON.stringify(payload),
        grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        expires_at: expiresIn ? now() + expiresIn * 1000 : null,
        consumed_at: null,
      }
      await db
        .insertInto('oauth_store')
        .values({ model: this.model, id, ...row })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
        .execute()
      await sweep()
    }

    async find(id: string) {
      const found = await this.findWhere('id', id)
      if (found || this.model !== 'Client' || !options.clientMetadataDocument) return found
      const document = await options.clientMetadataDocument(id)
      if (document) await this.upsert(id, document, documentCacheSeconds)
      return document
    }

    findByUid(uid: string) {
      return this.findWhere('uid', uid)
    }

    /** Device codes only, which Keyward does not enable; answered from the payload for completeness. */
    async findByUserCode(userCode: string) {
      const rows = await this.live().select(['payload', 'consumed_at']).execute()
      const row = rows.find((r) => (JSON.parse(r.payload) as OAuthPayload).userCode === userCode)
      return row && withConsumed(row)
    }

    /**
     * Marks a code or refresh token used, once. oidc-provider checks `consumed` when it reads the token, but two
     * requests with the same refresh token at the same moment both read it unused: the second to get here finds it
     * consumed, which is a reuse as surely as a later one, and ends the grant the same way (`invalid_grant`).
     */
    async consume(id: string) {
      const { numUpdatedRows } = await db
        .updateTable('oauth_store')
        .set({ consumed_at: now() })
        .where('model', '=', this.model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst()
      if (numUpdatedRows > 0n) return
      const row = await db
        .selectFrom('oauth_store')
        .select('grant_id')
        .where('model', '=', this.model)
        .where('id', '=', id)
        .executeTakeFirst()
      if (row?.grant_id) {
        await deleteGrantTokens(db, row.grant_id)
        await options.onGrantRevoked(row.grant_id)
      }
      // The shape oidc-provider's error handler answers as `400 {error: "invalid_grant"}`.
      throw Object.assign(new Error('invalid_grant'), {
        statusCode: 400,
        expose: true,
        error_description: 'grant request is invalid',
      })
    }

    async destroy(id: string) {
      await db.deleteFrom('oauth_store').where('model', '=', this.model).where('id', '=', id).execute()
    }

    /**
     * oidc-provider revokes a grant by calling this for each token model (helpers/revoke.js), always including
     * AccessToken: Keyward's callback runs on that call only, so once per revocation.
     */
    async revokeByGrantId(grantId: string) {
      await db
        .deleteFrom('oauth_store')
        .where('model', '=', this.model)
        .where('grant_id', '=', grantId)
        .execute()
      if (this.model === 'AccessToken') await options.onGrantRevoked(grantId)
    }

    private live() {
      const at = now()
      return db
        .selectFrom('oauth_store')
        .where('model', '=', this.model)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
    }

    private async findWhere(column: 'id' | 'uid', value: string) {
      const row = await this.live()
        .select(['payload', 'consumed_at'])
        .where(column, '=', value)
        .executeTakeFirst()
      return row && withConsumed(row)
    }
  }
}

/** oidc-provider reads `consumed` (seconds) from the payload to spot a reused code or refresh token. */
function withConsumed(row: { payload: string; consumed_at: number | null }): OAuthPayload {
  const payload = JSON.parse(row.payload) as OAuthPayload
  return row.consumed_at === null ? payload : { ...payload, consumed: Math.floor(row.consumed_at / 1000) }
}

/**
 * Ends every token and code of a grant and the provider's grant itself, without calling back: for Keyward's own
 * revocation (Connected apps, `keyward grant revoke`), which has already recorded it.
 */
export async function deleteGrantTokens(db: Kysely<KeywardTables>, grantId: string): Promise<void> {
  await db
    .deleteFrom('oauth_store')
    .where((eb) =>
      eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]),
    )
    .execute()
}
