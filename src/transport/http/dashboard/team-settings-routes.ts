import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { TeamSettings } from '../../../core/team-settings.ts'
import { id } from './account-routes.ts'
import { type DashboardDeps, userActor } from './deps.ts'
import { createdInvitationJson, deletedTeamJson, publicInvitationJson, teamSettingsJson } from './wire.ts'

const accountParams = z.object({ accountId: id })
/** Lengths only: the core validates the content and says what is wrong. */
const text = z.string().max(200)

const settingsJson = ({ account, primaryOwner, isPrimaryOwner }: TeamSettings) => ({
  account: {
    id: account.id,
    name: account.name,
    slug: account.slug,
    plan: account.plan,
    createdAt: account.createdAt,
  },
  primaryOwner,
  isPrimaryOwner,
})

/** Team → Settings: name and slug, ownership transfer, deletion; and what an invite link shows before sign-in. */
export function teamSettingsRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const { teamSettings, team } = deps.services

  typed.get(
    '/accounts/:accountId/settings',
    { schema: { params: accountParams, response: { 200: teamSettingsJson } } },
    async (request) => settingsJson(await teamSettings.get(userActor(request), request.params)),
  )

  typed.patch(
    '/accounts/:accountId/settings',
    {
      schema: {
        params: accountParams,
        body: z.object({ name: text.optional(), slug: text.optional() }).strict(),
        response: { 200: teamSettingsJson },
      },
    },
    async (request) => {
      const actor = userActor(request)
      await teamSettings.update(actor, { ...request.params, ...request.body })
      return settingsJson(await teamSettings.get(actor, request.params))
    },
  )

  typed.post(
    '/accounts/:accountId/transfer-ownership',
    {
      schema: {
        params: accountParams,
        body: z.object({ userId: id }).strict(),
        response: { 200: teamSettingsJson },
      },
    },
    async (request) =>
      settingsJson(await teamSettings.transfer(userActor(request), { ...request.params, ...request.body })),
  )

  typed.delete(
    '/accounts/:accountId',
    {
      schema: {
        params: accountParams,
        body: z.object({ confirmName: text }).strict(),
        response: { 200: deletedTeamJson },
      },
    },
    async (request) => ({
      deleted: true as const,
      ...(await teamSettings.delete(userActor(request), { ...request.params, ...request.body })),
    }),
  )

  typed.post(
    '/accounts/:accountId/invitations/:invitationId/link',
    {
      schema: {
        params: accountParams.extend({ invitationId: id }),
        response: { 200: createdInvitationJson },
      },
    },
    async (request, reply) => {
      const { invitation, token } = await team.regenerateInvitationLink(userActor(request), request.params)
      const invitations = await team.listInvitations(userActor(request), request.params)
      const listed = invitations.find((i) => i.id === invitation.id)
      const { accountId: _, ...rest } = listed ?? { ...invitation, invitedBy: null }
      reply.header('cache-control', 'no-store') // the new token is shown once, like the first
      return { invitation: rest, token, link: `/invite/${token}` }
    },
  )

  typed.get(
    '/invitations/:token/preview',
    {
      config: { public: true },
      schema: {
        params: z.object({ token: z.string().min(1).max(200) }),
        response: { 200: publicInvitationJson },
      },
    },
    async (request) => deps.services.previewInvitation(request.params),
  )
}
