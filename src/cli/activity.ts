import { activityReasons, isActivityReason } from '../core/activity-reason.ts'
import { badRequest, notFound } from '../core/errors.ts'
import { operator } from '../core/model.ts'
import type { Keyward } from '../main.ts'
import { iso, printJson, table } from './output.ts'

export interface ActivityListOptions {
  account?: string
  unidentified?: boolean
  reason?: string
  limit: number
  before?: string
  json?: boolean
}

/**
 * `keyward activity list`: Agent Activity as the operator sees it, newest first. `--unidentified` shows the requests
 * whose key was never identified (no key, malformed, bad checksum, unknown): they belong to no account, so no member
 * sees them in the dashboard.
 */
export async function listActivity(keyward: Keyward, o: ActivityListOptions): Promise<void> {
  if (o.account !== undefined && o.unidentified) {
    throw badRequest('Choose --account or --unidentified, not both: unidentified requests have no account')
  }
  if (o.reason !== undefined && !isActivityReason(o.reason)) {
    throw badRequest(`Invalid --reason ${o.reason}: one of ${activityReasons.join(', ')}`)
  }
  if (o.account !== undefined && !(await keyward.storage.accounts.findById(o.account)))
    throw notFound('Account')
  const { rows, nextBefore } = await keyward.queries.operatorActivity(operator, {
    accountId: o.account,
    unidentified: Boolean(o.unidentified),
    reason: o.reason as (typeof activityReasons)[number] | undefined,
    limit: o.limit,
    before: o.before,
  })
  if (o.json) return printJson({ data: rows, nextBefore })
  if (rows.length === 0) {
    process.stdout.write('No requests.\n')
    return
  }
  const cells = rows.map((r) => [
    iso(r.at),
    r.accountId ?? '-',
    // A grant has no prefix: its client and user name it instead.
    r.keyPrefix ?? (r.grant ? `${r.grant.clientName} (${r.grant.userEmail ?? 'deleted user'})` : '-'),
    r.method,
    r.route ?? r.path,
    String(r.status),
    r.reason ?? '-',
    r.clientIp ?? '-',
    r.requestId ?? '-',
  ])
  const header = ['AT', 'ACCOUNT', 'KEY', 'METHOD', 'ENDPOINT', 'STATUS', 'REASON', 'CLIENT IP', 'REQUEST ID']
  process.stdout.write(table(header, cells))
  if (nextBefore) process.stdout.write(`More: --before ${nextBefore}\n`)
}
