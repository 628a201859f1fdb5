import type { Migration, MigrationProvider } from 'kysely'
import * as initial from './0001-initial.ts'
import * as activityAndWebhooks from './0002-activity-and-webhooks.ts'
import * as analytics from './0003-analytics.ts'
import * as analyticsIndexes from './0004-analytics-indexes.ts'
import * as analyticsRollups from './0005-analytics-rollups.ts'
import * as team from './0006-team.ts'
import * as pageRunningTotals from './0007-page-running-totals.ts'
import * as keyGeneration from './0008-key-generation.ts'
import * as activityHourly from './0009-activity-hourly.ts'
import * as activityReason from './0010-activity-reason.ts'
import * as activityHourlyUsage from './0011-activity-hourly-usage.ts'
import * as auditStream from './0013-audit-stream.ts'
import * as keyRotation from './0014-key-rotation.ts'
import * as accountKeyPolicy from './0015-account-key-policy.ts'
import * as keyNotifications from './0016-key-notifications.ts'
import * as keyExposures from './0017-key-exposures.ts'
import * as keyControls from './0018-key-controls.ts'
import * as teamSettings from './0019-team-settings.ts'
import * as oauth from './0020-oauth.ts'
import * as activityCompact from './0021-activity-compact.ts'
import * as activityHalfDay from './0022-activity-half-day.ts'

/** Migrations are listed in code (not read from disk) so that they ship with the bundle and run in order. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '0001-initial': initial,
      '0002-activity-and-webhooks': activityAndWebhooks,
      '0003-analytics': analytics,
      '0004-analytics-indexes': analyticsIndexes,
      '0005-analytics-rollups': analyticsRollups,
      '0006-team': team,
      '0007-page-running-totals': pageRunningTotals,
      '0008-key-generation': keyGeneration,
      '0009-activity-hourly': activityHourly,
      '0010-activity-reason': activityReason,
      '0011-activity-hourly-usage': activityHourlyUsage,
      '0013-audit-stream': auditStream,
      '0014-key-rotation': keyRotation,
      '0015-account-key-policy': accountKeyPolicy,
      '0016-key-notifications': keyNotifications,
      '0017-key-exposures': keyExposures,
      '0018-key-controls': keyControls,
      '0019-team-settings': teamSettings,
      '0020-oauth': oauth,
      '0021-activity-compact': activityCompact,
      '0022-activity-half-day': activityHalfDay,
    }
  },
}
