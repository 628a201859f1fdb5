import type SQLite from 'better-sqlite3'
import type { Kysely } from 'kysely'
import type { Storage, Stores } from '../core/ports.ts'
import type { ActivityWriter } from './activity-writer.ts'
import type { KeywardTables } from './schema.ts'
import { accountStore } from './stores/accounts.ts'
import { actionStore } from './stores/actions.ts'
import { activityStore } from './stores/activity.ts'
import { auditOutboxStore } from './stores/audit-outbox.ts'
import { briefStore } from './stores/briefs.ts'
import { eventStore } from './stores/events.ts'
import { exposureStore } from './stores/exposures.ts'
import { invitationStore } from './stores/invitations.ts'
import { keyPolicyStore } from './stores/key-policies.ts'
import { keyStore } from './stores/keys.ts'
import { mailOutboxStore } from './stores/mail-outbox.ts'
import { membershipStore } from './stores/memberships.ts'
import { noticeStore } from './stores/notices.ts'
import { oauthGrantStore } from './stores/oauth-grants.ts'
import { projectStore } from './stores/projects.ts'
import { promptTestStore } from './stores/prompt-tests.ts'
import { seriesStore } from './stores/series.ts'
import { trackingStore } from './stores/tracking.ts'
import { webhookDeliveryStore } from './stores/webhook-deliveries.ts'
import { webhookStore } from './stores/webhooks.ts'

export interface StorageOptions {
  sqlite?: SQLite.Database
  activityWriter?: ActivityWriter
  /** KEYWARD_AUDIT_STREAM_URL is set: activity rows and management events also go to the audit outbox. */
  auditStream?: boolean
}

function storesOn(db: Kysely<KeywardTables>, options: StorageOptions = {}): Stores {
  const { sqlite, activityWriter: writer, auditStream: streamed } = options
  return {
    accounts: accountStore(db),
    memberships: membershipStore(db),
    invitations: invitationStore(db),
    projects: projectStore(db),
    keys: keyStore(db, writer),
    events: eventStore(db, { streamed }),
    activity: activityStore(db, sqlite, writer, { streamed }),
    webhooks: webhookStore(db),
    deliveries: webhookDeliveryStore(db),
    auditOutbox: auditOutboxStore(db),
    keyPolicies: keyPolicyStore(db),
    exposures: exposureStore(db),
    notices: noticeStore(db),
    mails: mailOutboxStore(db),
    oauthGrants: oauthGrantStore(db),
    tracking: trackingStore(db),
    series: seriesStore(db),
    tests: promptTestStore(db),
    actions: actionStore(db),
    briefs: briefStore(db),
  }
}

/** The Kysely implementation of every core port, for SQLite and Postgres alike. */
export function createStorage(db: Kysely<KeywardTables>, options: StorageOptions = {}): Storage {
  return {
    ...storesOn(db, options),
    transaction: (work) =>
      db.transaction().execute((trx) => work(storesOn(trx, { auditStream: options.auditStream }))),
  }
}
