import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { roles } from '../../../core/roles.ts'
import { id } from './account-routes.ts'
import { type DashboardDeps, userActor } from './deps.ts'
import { accountSummary } from './json.ts'
import {
  acceptedInvitationJson,
  createdInvitationJson,
  invitationListJson,
  invitationPreviewJson,
  memberJson,
  memberListJson,
} from './wire.ts'

const accountParams = z.object({ accountId: id })
const memberParams = accountParams.extend({ userId: id })
const tokenParams = z.object({ token: z.string().min(1).max(200) })

/** Team: members and their roles, invitations by link. */
export function teamRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const { team } = deps.services

  typed.get(
    '/accounts/:accountId/members',
    { schema: { params: accountParams, response: { 200: memberListJson } } },
    async (request) => ({
      data: await team.listMembers(userActor(request), request.params),
    }),
  )

  typed.patch(
    '/accounts/:accountId/members/:userId',
    {
      schema: {
        params: memberParams,
        body: z.object({ role: z.enum(roles) }).strict(),
        response: { 200: memberJson },
      },
    },
    async (request) => team.changeRole(userActor(request), { ...request.params, ...request.body }),
  )

  typed.delete(
    '/accounts/:accountId/members/:userId',
    { schema: { params: memberParams } },
    async (request, reply) => {
      await team.removeMember(userActor(request), request.params)
      return reply.code(204).send()
    },
  )

  typed.get(
    '/accounts/:accountId/invitations',
    { schema: { params: accountParams, response: { 200: invitationListJson } } },
    async (request) => ({
      data: (await team.listInvitations(userActor(request), request.params)).map(
        ({ accountId: _, ...i }) => i,
      ),
    }),
  )

  typed.post(
    '/accounts/:accountId/invitations',
    {
      schema: {
        params: accountParams,
        body: z.object({ email: z.string().max(254), role: z.enum(roles) }).strict(),
        response: { 201: createdInvitationJson },
      },
    },
    async (request, reply) => {
      const { invitation, token } = await team.createInvitation(userActor(request), {
        ...request.params,
        ...request.body,
      })
      const { accountId: _, ...rest } = invitation
      // The token is the invitation: shown once, like a key.
      reply.header('cache-control', 'no-store')
      return reply.code(201).send({ invitation: rest, token, link: `/invite/${token}` })
    },
  )

  typed.delete(
    '/accounts/:accountId/invitations/:invitationId',
    { schema: { params: accountParams.extend({ invitationId: id }) } },
    async (request, reply) => {
      await team.revokeInvitation(userActor(request), request.params)
      return reply.code(204).send()
    },
  )

  typed.get(
    '/invitations/:token',
    { schema: { params: tokenParams, response: { 200: invitationPreviewJson } } },
    async (request) => team.describeInvitation(userActor(request), request.params),
  )

  typed.post(
    '/invitations/:token/accept',
    { schema: { params: tokenParams, response: { 200: acceptedInvitationJson } } },
    async (request) => {
      const { account, role } = await team.acceptInvitation(userActor(request), request.params)
      return { account: accountSummary(account, role) }
    },
  )
}
