import { z } from 'zod'
import type { Services } from '../../core/services.ts'
import { rate } from './analytics-schemas.ts'
import { keyedRoute } from './capability.ts'

export function testRoutes(analytics: Services['analytics']) {
  return [
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/tests',
      operationId: 'listTests',
      summary: 'Saved prompt tests with their run counts',
      tool: {
        name: 'devtune_list_tests',
        description:
          'Lists saved prompt tests (a prompt run on demand across AI platforms): id, name, prompt, creation time, ' +
          'number of runs and the time of the last run (ISO-8601), newest first.',
      },
      scope: 'tests.read',
      response: z.object({
        tests: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            prompt: z.string(),
            createdAt: z.iso.datetime(),
            runCount: z.number().int(),
            lastRunAt: z.iso.datetime().nullable(),
          }),
        ),
      }),
      handle: ({ actor, projectId }) => analytics.promptTests(actor, { projectId }),
    }),
    keyedRoute({
      method: 'GET',
      path: '/projects/:projectId/tests/:testId',
      operationId: 'getTest',
      summary: 'One prompt test with every run and its per-platform results',
      tool: {
        name: 'devtune_get_test',
        description:
          'One saved prompt test by id with all its runs, newest first. Each run lists per platform whether the ' +
          'brand was mentioned, its position (1 = first) and how many sources were cited, plus the run presence rate ' +
          '(0..1); summary gives the presence rate across all runs.',
      },
      scope: 'tests.read',
      params: z.object({ testId: z.uuid() }),
      response: z.object({
        id: z.string(),
        name: z.string(),
        prompt: z.string(),
        createdAt: z.iso.datetime(),
        summary: z.object({
          runCount: z.number().int(),
          platformResults: z.number().int(),
          presenceRate: rate,
        }),
        runs: z.array(
          z.object({
            id: z.string(),
            ranAt: z.iso.datetime(),
            presenceRate: rate,
            results: z.array(
              z.object({
                platform: z.string(),
                brandMentioned: z.boolean(),
                position: z.number().int().nullable(),
                citations: z.number().int(),
              }),
            ),
          }),
        ),
      }),
      handle: ({ actor, projectId, params }) => analytics.promptTest(actor, { projectId, ...params }),
    }),
  ]
}
