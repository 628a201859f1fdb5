import { z } from 'zod'
import { actionListQuery, updateActionInput } from '../../core/analytics/actions.ts'
import { generateBriefInput } from '../../core/analytics/briefs.ts'
import { briefStatuses } from '../../core/analytics/model.ts'
import type { Services } from '../../core/services.ts'
import { actionIdParams, actionSchema } from './analytics-schemas.ts'
import { keyedRoute } from './capability.ts'

const briefHead = { actionId: z.uuid(), actionTitle: z.string(), hasBrief: z.boolean() }

export function actionRoutes(analytics: Services['analytics']) {
  return [
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/actions',
      operationId: 'listActions',
      summary: 'Suggested and adopted actions, optionally filtered by status',
      tool: {
        name: 'devtune_list_actions',
        description:
          'Lists the actions of the project (recommendations and backlog work): id, title, type, status ' +
          '(suggested, backlog, in_progress, done, dismissed), priority (high first, then newest), target URL and ' +
          'ISO-8601 times. Filter with status.',
      },
      scope: 'actions.read',
      query: actionListQuery,
      response: z.object({ actions: z.array(actionSchema) }),
      handle: ({ actor, projectId, query }) => analytics.actions(actor, { projectId, ...query }),
    }),
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/actions/:actionId',
      operationId: 'getAction',
      summary: 'One action, its brief status and its intervention',
      tool: {
        name: 'devtune_get_action',
        description:
          'One action by id: its fields, the status of its brief (none, queued, generating, ready) and, once done, its ' +
          'intervention (target URL, completion time, citations of the target page in the 14 days before, and the ' +
          '30-day share of voice then).',
      },
      scope: 'actions.read',
      params: actionIdParams,
      response: actionSchema.extend({
        briefStatus: z.enum(briefStatuses),
        intervention: z
          .object({
            targetUrl: z.string(),
            doneAt: z.iso.datetime(),
            baselineCitations: z.number().int(),
            baselineShareOfVoice: z.number(),
          })
          .nullable(),
      }),
      handle: ({ actor, projectId, params }) => analytics.action(actor, { projectId, ...params }),
    }),
    keyedRoute({
      method: 'PATCH',
      path: '/projects/:projectId/actions/:actionId',
      operationId: 'updateActionStatus',
      summary: 'Change the status of an action; done records an intervention',
      tool: {
        name: 'devtune_update_action_status',
        description:
          'Sets the status of an action: suggested, backlog, in_progress, done or dismissed. Marking it done records ' +
          'an intervention with the baseline citations of its target page, used later to measure what works. ' +
          'Fires the action.updated webhook.',
      },
      scope: 'actions.write',
      params: actionIdParams,
      body: updateActionInput,
      response: actionSchema,
      handle: ({ actor, projectId, params, body }) =>
        analytics.updateActionStatus(actor, { projectId, ...params, ...body }),
    }),
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/actions/:actionId/brief',
      operationId: 'getActionBrief',
      summary: 'The brief status of an action and, once ready, its markdown',
      tool: {
        name: 'devtune_get_action_brief',
        description:
          'The execution brief of an action: status none, queued, generating or ready, and once ready the markdown ' +
          '(target page, prompts where the brand is missing, competitors cited instead, top cited domains, next steps).',
      },
      scope: 'actions.read',
      params: actionIdParams,
      response: z.object({
        ...briefHead,
        status: z.enum(briefStatuses),
        markdown: z.string().nullable(),
        generatedAt: z.iso.datetime().nullable(),
      }),
      handle: ({ actor, projectId, params }) => analytics.actionBrief(actor, { projectId, ...params }),
    }),
    keyedRoute({
      method: 'POST',
      path: '/projects/:projectId/actions/:actionId/brief',
      operationId: 'generateActionBrief',
      summary: 'Queue brief generation, or reuse the existing brief or running job',
      tool: {
        name: 'devtune_generate_action_brief',
        description:
          'Starts generating the brief of an action. Answers ready when the brief already exists, queued when this ' +
          'call queued the job, and generating when a job is already running; repeated calls never start a second ' +
          'job. Poll devtune_get_action_brief for the markdown.',
      },
      scope: 'actions.write',
      params: actionIdParams,
      body: generateBriefInput,
      response: z.object({ ...briefHead, status: z.enum(['ready', 'queued', 'generating']) }),
      handle: ({ actor, projectId, params }) =>
        analytics.generateActionBrief(actor, { projectId, ...params }),
    }),
  ]
}
