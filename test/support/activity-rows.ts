import type { ActivityEntry } from '../../src/core/activity.ts'
import type { ActivityStore } from '../../src/core/ports.ts'

/** Writes `count` bare activity rows at the instants `at(i)` through the store, 1,000 to a batch. */
export async function insertActivityRows(store: ActivityStore, count: number, at: (i: number) => number) {
  for (let start = 0; start < count; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - start) }, (_, j) => ({
      ...keylessRequest,
      id: '',
      at: at(start + j),
      path: '/api/v2/x',
      status: 200,
      errorCode: null,
      reason: null,
    }))
    await store.insertMany(rows)
  }
}

/** The activity entry of a request that carried no key (a 401), less its id and time. */
export const keylessRequest: Omit<ActivityEntry, 'id' | 'at'> = {
  accountId: null,
  projectId: null,
  keyId: null,
  method: 'GET',
  route: null,
  path: '/api/v2/nothing',
  status: 401,
  scope: null,
  latencyMs: 1,
  errorCode: 'unauthorized',
  rateLimited: false,
  reason: 'missing_key',
  requestedProjectId: null,
  requestId: null,
  rpcId: null,
  clientIp: null,
  userAgent: null,
}

let serial = 0
/** A successful keyed request's entry at `at`, with a unique time-ordered id; `over` sets any other field. */
export const keyedRequest = (over: Partial<ActivityEntry> & { at: number }): ActivityEntry => ({
  id: `${over.at.toString(16).padStart(12, '0')}${(serial++).toString(16).padStart(20, '0')}`,
  accountId: null,
  projectId: null,
  keyId: null,
  method: 'GET',
  route: '/projects/:projectId/visibility/summary',
  path: '/api/v2/projects/p/visibility/summary',
  status: 200,
  scope: 'visibility.read',
  latencyMs: 3,
  errorCode: null,
  rateLimited: false,
  reason: null,
  requestedProjectId: null,
  requestId: null,
  rpcId: null,
  clientIp: '203.0.113.9',
  userAgent: 'test',
  ...over,
})
