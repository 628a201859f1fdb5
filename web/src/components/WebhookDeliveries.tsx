import { useQuery } from '@tanstack/react-query'
import { useAccount } from '../account.ts'
import { api, type WebhookRow } from '../api.ts'
import { formatLatency } from '../format.ts'
import { queryKeys } from '../queryKeys.ts'
import { EmptyState, ErrorState, Loading } from './QueryStates.tsx'
import { DateText } from './Time.tsx'

/** The 50 newest delivery attempts of a webhook. */
export function WebhookDeliveries({ webhook }: { webhook: WebhookRow }) {
  const { account } = useAccount()
  const attempts = useQuery({
    queryKey: queryKeys.webhookAttempts(account.id, webhook.id),
    queryFn: () => api.webhookAttempts(webhook.id),
  })

  if (attempts.isPending) return <Loading />
  if (attempts.isError) return <ErrorState error={attempts.error} onRetry={() => void attempts.refetch()} />
  if (attempts.data.data.length === 0) {
    return (
      <EmptyState title="No delivery attempts yet">
        Attempts appear here once a subscribed event happens.
      </EmptyState>
    )
  }
  return (
    <div className="deliveries">
      <div className="section-header">
        <h3 className="section-title small">Recent deliveries</h3>
        <button
          type="button"
          className="button small"
          onClick={() => void attempts.refetch()}
          disabled={attempts.isFetching}
        >
          Refresh
        </button>
      </div>
      <table className="table table-compact">
        <caption className="visually-hidden">Deliveries for {webhook.url}</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col" className="numeric">
              Attempt
            </th>
            <th scope="col">Result</th>
            <th scope="col" className="numeric">
              Duration
            </th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {attempts.data.data.map((attempt) => {
            const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300
            return (
              <tr key={attempt.id}>
                <td>
                  <code>{attempt.event}</code>
                </td>
                <td className="numeric">#{attempt.attempt}</td>
                <td className={ok ? 'text-success' : 'text-danger'}>
                  {attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : null}
                  {attempt.statusCode !== null && attempt.error ? ' · ' : null}
                  {attempt.error ?? null}
                </td>
                <td className="numeric">{formatLatency(attempt.durationMs)}</td>
                <td className="nowrap">
                  <DateText at={attempt.at} withTime />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
