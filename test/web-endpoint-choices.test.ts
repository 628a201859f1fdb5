import { describe, expect, it } from 'vitest'
import { apiRoutes, mcpTools } from '../web/src/activityCatalogue.ts'
import { routesUnderTest } from './support/api.ts'

/**
 * The dashboard imports the core's catalogues (scopes, events, expirations, roles, plans, reasons) directly. The one
 * copy left is the Activity page's list of routes and tools: the route table that holds them imports the use-cases,
 * which use node:crypto, so the browser cannot import it yet. This keeps the copy true until it can (issue 20 §3).
 */
describe("the Activity page's endpoint choices", () => {
  it('name every route and tool activity rows can name, in table order', () => {
    expect(apiRoutes).toEqual([...new Set(routesUnderTest.map((r) => `/api/v2${r.path}`))])
    expect(mcpTools).toEqual(routesUnderTest.map((r) => r.tool.name))
  })
})
