import type { Actor } from '../model.ts'
import { activitySeries, keyUsage, searchActivity } from './activity.ts'
import { activityDetail, operatorActivity } from './activity-rows.ts'
import type { ReadModelDeps } from './deps.ts'
import { exportActivity, exportHistory } from './export.ts'
import { listHistory } from './history.ts'
import { keyUsageDetails } from './key-usage.ts'
import { keyDetails, keyRow, listKeyPage } from './keys.ts'
import { accountOverview, listMyAccounts, listProjects } from './overview.ts'
import { listAccountWebhooks, webhookAttempts, webhookRow } from './webhooks.ts'

type Bound<F> = F extends (deps: never, actor: Actor, input: infer I) => infer R
  ? (actor: Actor, input: I) => R
  : never

const queries = {
  myAccounts: listMyAccounts,
  projects: listProjects,
  overview: accountOverview,
  keyPage: listKeyPage,
  keyDetails,
  keyRow,
  keyUsageDetails,
  history: listHistory,
  activity: searchActivity,
  activityDetail,
  operatorActivity,
  exportActivity,
  exportHistory,
  activitySeries,
  keyUsage,
  webhooks: listAccountWebhooks,
  webhookAttempts,
  webhookRow,
}

export type DashboardQueries = { [K in keyof typeof queries]: Bound<(typeof queries)[K]> }

/** Binds the dashboard's read use-cases to their dependencies, as `createServices` does for the changes. */
export function createDashboardQueries(deps: ReadModelDeps): DashboardQueries {
  return Object.fromEntries(
    Object.entries(queries).map(([name, query]) => [
      name,
      (actor: Actor, input: never) =>
        (query as (d: ReadModelDeps, a: Actor, i: never) => unknown)(deps, actor, input),
    ]),
  ) as DashboardQueries
}
