/** Types of activity-codec.js (plain JavaScript, shared with the SQLite writer thread). */
import type { KeywardTables } from './schema.ts'

export declare const idShift: bigint
export declare function idAt(at: number): bigint
export declare function atOfId(id: bigint | string | number): number
export declare class ActivityIds {
  constructor(tags?: readonly number[])
  room(at: number): number
  addTags(tags: readonly number[]): boolean
  idFor(at: number): bigint
}
export declare function encodeRequestId(requestId: string | null): Buffer
export declare function decodeRequestId(bytes: Uint8Array | null): string | null
export declare function encodeLatency(latencyMs: number): number
export declare function decodeLatency(stored: number | string): number
export declare function encodeReason(reasons: readonly string[], reason: string | null): number
export declare function decodeReason(reasons: readonly string[], code: number): string | null
/** A row in the shape the `activity` view shows (the table's before migration 0021). */
export type LegacyActivityRow = KeywardTables['activity']
export declare function shapeOf(row: LegacyActivityRow): Array<string | number | null>
export declare function clientOf(row: LegacyActivityRow): Array<string | null>
export declare const shapeColumns: readonly string[]
export declare const clientColumns: readonly string[]
export declare const nameColumns: ReadonlyArray<
  'account_id' | 'project_id' | 'key_id' | 'path' | 'requested_project_id' | 'rpc_id'
>
export declare const maxCachedEntries: number
