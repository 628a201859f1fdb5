import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { servedKeyward } from '../../../test/support/served.ts'
import { generatedTypesPath, generateTypes } from '../scripts/generate.ts'
import { createKeywardClient } from '../src/index.ts'

/**
 * The client an integrator generates: openapi-typescript types from the served document, openapi-fetch calls. The
 * committed types must be what the document generates today; they type-check; every operation answers as typed.
 */
let served: Awaited<ReturnType<typeof servedKeyward>>
let document: { servers: { url: string }[]; paths: Record<string, Record<string, { operationId: string }>> }

beforeAll(async () => {
  served = await servedKeyward()
  document = await (await fetch(`${served.apiRoot}/openapi.json`)).json()
})
afterAll(() => served?.close())

describe('the generated types', () => {
  it('are up to date with the served document (regenerate with scripts/generate.ts)', async () => {
    const committed = await readFile(generatedTypesPath, 'utf8')
    expect(await generateTypes(document)).toBe(committed)
  })

  it('type-check, with the client and these tests (tsc)', async () => {
    const tsc = await promisify(execFile)(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'clients/typescript/tsconfig.json'],
      { maxBuffer: 10_000_000 },
    ).catch((error: { stdout: string }) => ({ stdout: error.stdout, failed: true }))
    expect(tsc.stdout).toBe('')
  }, 180_000)
})

describe('every operation, through the typed client', () => {
  it('answers each with its documented status and body', async () => {
    const called = new Set<string>()
    const client = createKeywardClient({ baseUrl: document.servers[0]?.url ?? '', apiKey: served.key })
    client.use({
      onRequest({ request, schemaPath }) {
        const operation = document.paths[schemaPath]?.[request.method.toLowerCase()]
        if (operation) called.add(operation.operationId)
      },
    })
    const projectId = served.projectId
    const project = { params: { path: { projectId } } }

    const key = await client.GET('/key')
    expect(key.response.status).toBe(200)
    expect(key.data?.data).toMatchObject({ projectId, rateLimit: { limit: 500 } })
    expect(key.response.headers.get('x-ratelimit-limit')).toBe('500')

    for (const windowDays of [30, 90] as const) {
      const summary = await client.GET('/projects/{projectId}/visibility/summary', {
        params: { path: { projectId }, query: { windowDays } },
      })
      expect(summary.data?.data.window.days).toBe(windowDays)
      expect(summary.data?.data.totalRuns).toBeGreaterThan(0)
    }
    const diff = await client.GET('/projects/{projectId}/visibility/diff', project)
    expect(diff.data?.data.previous.window.days).toBe(30)
    const heatmap = await client.GET('/projects/{projectId}/visibility/heatmap', {
      params: { path: { projectId }, query: { groupBy: 'prompt' } },
    })
    expect(heatmap.data?.data.prompts?.length).toBeGreaterThan(0)
    const stats = await client.GET('/projects/{projectId}/citations/stats', project)
    expect(stats.response.status).toBe(200)
    const pages = await client.GET('/projects/{projectId}/citations/top-pages', {
      params: { path: { projectId }, query: { pageSize: 5 } },
    })
    expect(pages.data?.data.pagination).toMatchObject({ page: 1, pageSize: 5 })
    expect(pages.data?.data.pages.length).toBeLessThanOrEqual(5)
    const domains = await client.GET('/projects/{projectId}/citations/top-domains', project)
    expect(domains.response.status).toBe(200)
    for (const path of [
      '/projects/{projectId}/competitive/position',
      '/projects/{projectId}/adoption/metrics',
      '/projects/{projectId}/traffic/summary',
      '/projects/{projectId}/intelligence/what-works',
    ] as const) {
      const answer = await client.GET(path, project)
      expect(answer.response.status, path).toBe(200)
      expect(answer.data?.meta.projectId, path).toBe(projectId)
    }

    const tests = await client.GET('/projects/{projectId}/tests', project)
    const testId = tests.data?.data.tests[0]?.id ?? ''
    const test = await client.GET('/projects/{projectId}/tests/{testId}', {
      params: { path: { projectId, testId } },
    })
    expect(test.data?.data.id).toBe(testId)

    const actions = await client.GET('/projects/{projectId}/actions', {
      params: { path: { projectId }, query: { status: 'suggested' } },
    })
    const action = actions.data?.data.actions[0]
    expect(action?.status).toBe('suggested')
    const actionId = action?.id ?? ''
    const onAction = { params: { path: { projectId, actionId } } }
    expect((await client.GET('/projects/{projectId}/actions/{actionId}', onAction)).data?.data.id).toBe(
      actionId,
    )
    const moved = await client.PATCH('/projects/{projectId}/actions/{actionId}', {
      ...onAction,
      body: { status: 'backlog' },
    })
    expect(moved.data?.data.status).toBe('backlog')
    const generated = await client.POST('/projects/{projectId}/actions/{actionId}/brief', onAction)
    expect(generated.data?.data).toMatchObject({
      actionId,
      status: expect.stringMatching(/queued|generating|ready/),
    })
    const brief = await client.GET('/projects/{projectId}/actions/{actionId}/brief', onAction)
    expect(brief.data?.data.actionId).toBe(actionId)

    const created = await client.POST('/projects/{projectId}/webhooks', {
      ...project,
      body: { url: 'https://hooks.example.com/keyward', events: ['visibility.changed'] },
    })
    expect(created.response.status).toBe(201)
    const webhookId = created.data?.data.id ?? ''
    const onWebhook = { params: { path: { projectId, webhookId } } }
    const listed = await client.GET('/projects/{projectId}/webhooks', project)
    expect(listed.data?.data.webhooks.map((w) => w.id)).toContain(webhookId)
    const rotated = await client.POST('/projects/{projectId}/webhooks/{webhookId}/rotate-secret', onWebhook)
    expect(rotated.data?.data.secret).toMatch(/^[0-9a-f]{64}$/)
    expect(rotated.data?.data.secret).not.toBe(created.data?.data.secret)
    const deleted = await client.DELETE('/projects/{projectId}/webhooks/{webhookId}', onWebhook)
    expect(deleted.data).toEqual({ deleted: true })

    // An error answer is typed too: the Error envelope.
    const missing = await client.DELETE('/projects/{projectId}/webhooks/{webhookId}', onWebhook)
    expect(missing.response.status).toBe(404)
    expect(missing.error).toEqual({ error: 'not_found', message: expect.any(String), status: 404 })

    const all = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods).map((o) => o.operationId),
    )
    expect([...called].sort()).toEqual(all.sort())
  })
})
