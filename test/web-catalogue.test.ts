import { describe, expect, it } from 'vitest'
import { activityReasons } from '../src/core/activity-reason.ts'
import { expirationChoices as coreExpirations } from '../src/core/expiration.ts'
import { plans } from '../src/core/plans.ts'
import { statusClasses } from '../src/core/read-models/ports.ts'
import { roles } from '../src/core/roles.ts'
import { scopeCatalogue } from '../src/core/scopes.ts'
import { webhookEvents as coreWebhookEvents } from '../src/core/webhooks.ts'
import { apiRoutes, mcpTools, reasonChoices, reasonLabels } from '../web/src/activityCatalogue.ts'
import {
  allScopes,
  expirationChoices,
  planLabels,
  roleLabels,
  statusClassChoices,
  webhookEvents,
} from '../web/src/catalogue.ts'
import { routesUnderTest } from './support/api.ts'

/**
 * The dashboard is a browser bundle and cannot import the core (which uses node:crypto), so it keeps its own copy of
 * the catalogues it shows. This keeps the copy true: a scope, event, expiration, role or plan added to the core and
 * not to the dashboard fails here.
 */
describe("the dashboard's catalogues", () => {
  it('offer exactly the core scopes, in catalogue order', () => {
    expect(allScopes).toEqual(scopeCatalogue)
  })

  it('offer exactly the webhook events, expirations, roles, plans and status classes the core knows', () => {
    expect(webhookEvents).toEqual(coreWebhookEvents)
    expect(expirationChoices.map((c) => c.value)).toEqual(Object.keys(coreExpirations))
    expect(Object.keys(roleLabels).sort()).toEqual([...roles].sort())
    expect(Object.keys(planLabels).sort()).toEqual([...plans].sort())
    expect(statusClassChoices.map((c) => c.value).filter(Boolean)).toEqual(statusClasses)
  })

  it('name every refusal reason, and every route and tool activity rows can name', () => {
    expect(Object.keys(reasonLabels)).toEqual(activityReasons)
    for (const reason of reasonChoices) expect(activityReasons).toContain(reason)
    expect(apiRoutes).toEqual([...new Set(routesUnderTest.map((r) => `/api/v2${r.path}`))])
    expect(mcpTools).toEqual(routesUnderTest.map((r) => r.tool.name))
  })
})
