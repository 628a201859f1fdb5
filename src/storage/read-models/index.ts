import type { Kysely } from 'kysely'
import type { ReadModels } from '../../core/read-models/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { activityLog } from './activity.ts'
import { historyLog } from './history.ts'
import { keyUsageLog } from './key-usage.ts'
import { keyListing } from './keys.ts'
import { webhookListing } from './webhooks.ts'

/** The dashboard's read models over the same database. */
export function createReadModels(db: Kysely<KeywardTables>): ReadModels {
  return {
    keys: keyListing(db),
    activity: activityLog(db),
    keyUsage: keyUsageLog(db),
    history: historyLog(db),
    webhooks: webhookListing(db),
  }
}
