import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { OAuthGrantListItem } from '../../../core/oauth-grants.ts'
import { scopeCatalogue } from '../../../core/scopes.ts'
import { id } from './account-routes.ts'
import { type DashboardDeps, userActor } from './deps.ts'

/** A Connected apps row: an OAuth grant, with the client, the user and the project named (issue 17). */
export const connectedAppJson = z.object({
  id: z.string(),
  clientId: z.string(),
  clientName: z.string(),
  redirectHost: z.string(),
  /** null: the user's account was deleted. */
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }).nullable(),
  project: z.object({ id: z.string(), name: z.string() }),
  scopes: z.array(z.enum(scopeCatalogue)),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
  status: z.enum(['active', 'revoked']),
})
export const connectedAppListJson = z.object({ items: z.array(connectedAppJson) })

const connectedApp = (grant: OAuthGrantListItem): z.infer<typeof connectedAppJson> => ({
  id: grant.id,
  clientId: grant.clientId,
  clientName: grant.clientName,
  redirectHost: grant.redirectHost,
  user: grant.user,
  project: { id: grant.projectId, name: grant.projectName },
  scopes: [...grant.scopes],
  createdAt: grant.createdAt,
  lastUsedAt: grant.lastUsedAt,
  revokedAt: grant.revokedAt,
  status: grant.status,
})

/** API Keys → Connected apps: any member sees them; `settings.manage` or the grant's own user revokes one. */
export function grantRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const grants = deps.services.grants

  typed.get(
    '/accounts/:accountId/connected-apps',
    { schema: { params: z.object({ accountId: id }), response: { 200: connectedAppListJson } } },
    async (request) => ({ items: (await grants.list(userActor(request), request.params)).map(connectedApp) }),
  )

  typed.post(
    '/connected-apps/:grantId/revoke',
    { schema: { params: z.object({ grantId: id }), response: { 200: connectedAppJson } } },
    async (request) => {
      const actor = userActor(request)
      const revoked = await grants.revoke(actor, request.params)
      // Read back as the list shows it; the revoking user may be the grant's own, who sees the account's list.
      const rows = await grants.list(actor, { accountId: revoked.accountId })
      const row = rows.find((grant) => grant.id === revoked.id)
      if (!row) throw new Error('a revoked grant vanished from its account') // the row is never deleted
      return connectedApp(row)
    },
  )
}
