import { betterAuth } from 'better-auth'
import type { Kysely } from 'kysely'
import type { DatabaseKind } from '../storage/dialect.ts'
import type { KeywardTables } from '../storage/schema.ts'

/**
 * better-auth owns users, password hashes (scrypt) and sessions. Its tables are created by Keyward's own
 * migration (one migration set for everything), under snake_case names mapped here.
 */
export function createAuth(options: {
  db: Kysely<KeywardTables>
  kind: DatabaseKind
  secret: string
  baseURL?: string
}) {
  const timestamps = { createdAt: 'created_at', updatedAt: 'updated_at' }
  return betterAuth({
    database: { db: options.db as Kysely<unknown>, type: options.kind },
    secret: options.secret,
    baseURL: options.baseURL ?? 'http://localhost:3000',
    telemetry: { enabled: false },
    emailAndPassword: { enabled: true, autoSignIn: false, minPasswordLength: 12 },
    user: { modelName: 'users', fields: { emailVerified: 'email_verified', ...timestamps } },
    session: {
      modelName: 'auth_sessions',
      fields: {
        userId: 'user_id',
        expiresAt: 'expires_at',
        ipAddress: 'ip_address',
        userAgent: 'user_agent',
        ...timestamps,
      },
    },
    account: {
      modelName: 'auth_accounts',
      fields: {
        userId: 'user_id',
        accountId: 'account_id',
        providerId: 'provider_id',
        accessToken: 'access_token',
        refreshToken: 'refresh_token',
        idToken: 'id_token',
        accessTokenExpiresAt: 'access_token_expires_at',
        refreshTokenExpiresAt: 'refresh_token_expires_at',
        ...timestamps,
      },
    },
    verification: { modelName: 'auth_verifications', fields: { expiresAt: 'expires_at', ...timestamps } },
  })
}

export type Auth = ReturnType<typeof createAuth>
