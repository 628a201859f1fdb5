import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { scopeGuide } from '../../capabilities/scope-guide.ts'
import { publicRoutes } from '../../capabilities/table.ts'
import type { DashboardDeps } from './deps.ts'
import { scopeGuideJson } from './wire.ts'

/** The Create API Key and Edit scopes dialogs describe each scope with what it opens, from the capability table. */
export function scopeRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const guide = { data: scopeGuide(publicRoutes(deps.services)) } // fixed for the process's life
  app
    .withTypeProvider<ZodTypeProvider>()
    .get('/scopes', { schema: { response: { 200: scopeGuideJson } } }, async () => guide)
}
