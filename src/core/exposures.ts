import { randomUUID } from 'node:crypto'
import type { Clock } from './clock.ts'
import { managementEvent } from './events.ts'
import { hashKey, type KeyFormat } from './key-format.ts'
import type { LeakResponse } from './key-policy.ts'

export type { LeakResponse }

import { keyStatus } from './key-status.ts'
import { revokeWithin } from './keys.ts'
import type { Instant, SystemActor, SystemActorName } from './model.ts'
import type { Storage } from './ports.ts'

/** What an account does when one of its keys is reported as leaked (the account policy's `leakResponse`). */

/** One leak report as queued: it names the key by id, never by its token. */
export interface KeyExposure {
  id: string
  keyId: string
  reporter: SystemActorName
  /** Where the key was found (GitHub's URL, or `file:line` for `keyward scan --report`). */
  url: string | null
  /** GitHub's `source` (content, commit, pull_request, npm…), or `keyward-scan`. */
  source: string | null
  reportedAt: Instant
  leaseUntil: Instant
  attempts: number
  response: LeakResponse | null
  processedAt: Instant | null
}

export interface LeakReport {
  token: string
  type?: string
  url?: string | null
  source?: string | null
}

/** The verdict on one reported token: `live` when it is an active key of this installation. */
export interface LeakVerdict {
  tokenHash: string
  type: string
  live: boolean
  /** The key's id when live: for `keyward scan --report`'s output. */
  keyId: string | null
}

export interface ExposureDeps {
  storage: Storage
  clock: Clock
  keyFormat: KeyFormat
  /** Called after a change to a key commits: the verifier evicts it here (other nodes hear the NOTIFY). */
  onKeyChanged(keyId: string): void
  /** The account's leak response; the account policy decides it, `revoke` when there is none. */
  leakResponseFor(accountId: string): LeakResponse | Promise<LeakResponse>
}

/**
 * The fast half of a leak report: which tokens are live keys of this installation, answered at once, and a queued
 * row per live one, committed before the answer leaves so that a crash cannot lose it. The slow half (revoking,
 * History, the events derived from it) is `actOnExposure`, run by the ExposureWorker right after the answer is sent.
 * Well-formed tokens with a bad checksum never reach the database; the rest are looked up in one query.
 */
export async function acceptLeakReports(
  deps: Pick<ExposureDeps, 'storage' | 'clock' | 'keyFormat'>,
  reporter: SystemActorName,
  reports: readonly LeakReport[],
): Promise<LeakVerdict[]> {
  const now = deps.clock()
  const parsed = reports.map((report) => {
    const tokenHash = hashKey(report.token)
    return { report, tokenHash, wellFormed: deps.keyFormat.parse(report.token).ok }
  })
  const hashes = [...new Set(parsed.filter((p) => p.wellFormed).map((p) => p.tokenHash))]
  const found = hashes.length === 0 ? [] : await deps.storage.keys.findByHashes(hashes)
  const live = new Map(
    found.filter((key) => keyStatus(key, now) === 'active').map((key) => [key.keyHash, key.id]),
  )
  const queued: KeyExposure[] = []
  const verdicts = parsed.map(({ report, tokenHash }): LeakVerdict => {
    const keyId = live.get(tokenHash) ?? null
    if (keyId !== null)
      queued.push({
        id: randomUUID(),
        keyId,
        reporter,
        url: report.url ?? null,
        source: report.source ?? null,
        reportedAt: now,
        leaseUntil: 0,
        attempts: 0,
        response: null,
        processedAt: null,
      })
    return { tokenHash, type: report.type ?? '', live: keyId !== null, keyId }
  })
  if (queued.length > 0) await deps.storage.exposures.insert(queued)
  return verdicts
}

/**
 * The slow half: the key is marked exposed (status `exposed`), revoked if its account's leak response says so (the
 * ordinary revocation, with reason `exposed`, so every node drops it), and History records `key.exposed`. All of it
 * commits with the report's `processed_at`, and only while `lease` is still this worker's: two nodes never both act.
 * Tells whether this call acted.
 */
export async function actOnExposure(
  deps: ExposureDeps,
  exposure: KeyExposure,
  lease: Instant,
): Promise<boolean> {
  const key = await deps.storage.keys.findById(exposure.keyId)
  if (!key) return false // deleted with its project; the report row went with it (on delete cascade)
  const response = await deps.leakResponseFor(key.accountId)
  const actor: SystemActor = { kind: 'system', name: exposure.reporter }
  const at = deps.clock()
  const acted = await deps.storage.transaction(async (stores) => {
    if (!(await stores.exposures.complete(exposure.id, lease, at, response))) return false
    await stores.keys.markExposed(key.id, at, exposure.url)
    await stores.events.append(
      managementEvent(actor, at, {
        accountId: key.accountId,
        action: 'key.exposed',
        targetType: 'key',
        targetId: key.id,
        details: { url: exposure.url, source: exposure.source, response },
      }),
    )
    if (response === 'revoke') await revokeWithin(stores, actor, key, at, 'exposed')
    await stores.keys.announceChange(key.id)
    return true
  })
  if (acted) deps.onKeyChanged(key.id)
  return acted
}
