import { randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import type { Kysely } from 'kysely'
import type { KeywardTables } from '../storage/schema.ts'

export const accessTokenAlgorithm = 'ES256'

/** The keys that sign access tokens: private ones for the authorization server, public ones for /api/mcp. */
export interface SigningKeys {
  privateJwks: { keys: JWK[] }
  publicJwks: { keys: JWK[] }
}

/**
 * Every node signs and verifies with the same keys, kept in the database: the first node to start creates one (an
 * ES256 pair from jose, not hand-made crypto). Two nodes starting at once may each create one; all of them are read
 * back in the same order, so every node signs with the same first key and accepts all.
 */
export async function loadSigningKeys(db: Kysely<KeywardTables>, now: number): Promise<SigningKeys> {
  let rows = await readKeys(db)
  if (rows.length === 0) {
    const { privateKey } = await generateKeyPair(accessTokenAlgorithm, { extractable: true })
    const kid = randomUUID()
    const jwk = { ...(await exportJWK(privateKey)), kid, alg: accessTokenAlgorithm, use: 'sig' }
    await db
      .insertInto('oauth_signing_keys')
      .values({ id: kid, private_jwk: JSON.stringify(jwk), created_at: now })
      .execute()
    rows = await readKeys(db)
  }
  const privateKeys = rows.map((row) => JSON.parse(row.private_jwk) as JWK)
  const publicKeys = privateKeys.map(({ d: _private, ...publicPart }) => publicPart)
  return { privateJwks: { keys: privateKeys }, publicJwks: { keys: publicKeys } }
}

function readKeys(db: Kysely<KeywardTables>) {
  return db
    .selectFrom('oauth_signing_keys')
    .select('private_jwk')
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}
