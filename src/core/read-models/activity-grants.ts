import type { Stores } from '../ports.ts'
import type { ActivityRowData } from './ports.ts'

/**
 * Names the client and the user of the rows made with an OAuth grant. A grant's rows carry its id as their key id
 * and match no key (no key name): those ids are looked up in one small query after the page was read, so the
 * activity queries themselves stay as they are.
 */
export async function withGrantLabels<R extends ActivityRowData>(
  stores: Pick<Stores, 'oauthGrants'>,
  rows: R[],
): Promise<R[]> {
  const candidates = rows.flatMap((row) => (row.keyId !== null && row.keyName === null ? [row.keyId] : []))
  const labels = await stores.oauthGrants.labels(candidates)
  return rows.map((row) => {
    const label = row.keyId === null ? undefined : labels.get(row.keyId)
    return { ...row, grant: label && row.keyId ? { id: row.keyId, ...label } : null }
  })
}
