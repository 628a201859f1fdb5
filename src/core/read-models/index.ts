import { bindUseCases } from '../bind.ts'
import { activitySeries, keyUsage, searchActivity } from './activity.ts'
import { activityDetail, operatorActivity } from './activity-rows.ts'
import type { ReadModelDeps } from './deps.ts'
import { exportActivity, exportHistory } from './export.ts'
import { listHistory } from './history.ts'
import { keyUsageDetails } from './key-usage.ts'
import { keyDetails, keyRow, listKeyPage } from './keys.ts'
import { accountOverview, listMyAccounts, listProjects } from './overview.ts'
import { listAccountWebhooks, webhookAttempts, webhookRow } from './webhooks.ts'

/** Binds the dashboard's read use-cases to their dependencies, as `createServices` does for the changes. */
export const createDashboardQueries = (deps: ReadModelDeps) =>
  bindUseCases(deps, {
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
  })

export type DashboardQueries = ReturnType<typeof createDashboardQueries>
