import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { api, type KeyNotices } from '../api.ts'
import { liveRefresh } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'
import { DateText } from './Time.tsx'

type NoticeKey = KeyNotices['expiringSoon'][number]

const names = (keys: readonly NoticeKey[]) => {
  const shown = keys.slice(0, 3).map((k) => `${k.name} (${k.projectName})`)
  return keys.length > 3 ? `${shown.join(', ')} and ${keys.length - 3} more` : shown.join(', ')
}
const plural = (n: number, one: string, many: string) => (n === 1 ? `1 ${one}` : `${n} ${many}`)

/**
 * The API Keys and Home warnings: keys expiring within 7 days, keys whose previous secret still works (a rotation's
 * grace), and active keys unused for 30 days. Nothing is shown when all is well (or while loading).
 */
export function KeyNoticesBanner({
  accountId,
  linkToKeys = false,
}: {
  accountId: string
  linkToKeys?: boolean
}) {
  const notices = useQuery({
    queryKey: queryKeys.keyNotices(accountId),
    queryFn: () => api.keyNotices(accountId),
    ...liveRefresh,
  })
  if (!notices.data) return null
  const { expiringSoon, inGrace, unused } = notices.data.data
  if (expiringSoon.length + inGrace.length + unused.length === 0) return null
  const soonest = expiringSoon[0]?.expiresAt
  const graceEnds = inGrace[0]?.previousKeyValidUntil
  return (
    <section className="key-notices" aria-label="Key notices">
      {expiringSoon.length > 0 && (
        <p className="callout callout-warning" data-notice="expiring">
          {plural(expiringSoon.length, 'key expires', 'keys expire')} within 7 days: {names(expiringSoon)}
          {soonest ? (
            <>
              {' '}
              (first on <DateText at={soonest} withTime />)
            </>
          ) : null}
          . Roll or replace {expiringSoon.length === 1 ? 'it' : 'them'} before agents are refused.
        </p>
      )}
      {inGrace.length > 0 && (
        <p className="callout callout-warning" data-notice="grace">
          {plural(inGrace.length, 'key still accepts', 'keys still accept')} its previous secret:{' '}
          {names(inGrace)}
          {graceEnds ? (
            <>
              {' '}
              (until <DateText at={graceEnds} withTime />)
            </>
          ) : null}
          . Move every client to the new secret before then.
        </p>
      )}
      {unused.length > 0 && (
        <p className="callout" data-notice="unused">
          {plural(unused.length, 'active key has', 'active keys have')} not been used for 30 days:{' '}
          {names(unused)}. Revoke what nobody needs.
        </p>
      )}
      {linkToKeys && <Link to={`/a/${accountId}/keys`}>Review these keys</Link>}
    </section>
  )
}
