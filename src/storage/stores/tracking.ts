import type { Kysely } from 'kysely'
import type { TrackingStore } from '../../core/analytics/ports.ts'
import type { KeywardTables } from '../schema.ts'
import { trackingCatalogue } from './tracking-catalogue.ts'
import { trackingReads } from './tracking-reads.ts'
import { trackingResults } from './tracking-results.ts'

/**
 * The analytics tracking store: topics and prompts (tracking-catalogue.ts), runs and citations written with their
 * rollups (tracking-results.ts), and the figures read from them (tracking-reads.ts, one filter builder in
 * tracking-filter.ts).
 */
export function trackingStore(db: Kysely<KeywardTables>): TrackingStore {
  return { ...trackingCatalogue(db), ...trackingResults(db), ...trackingReads(db) }
}
