import { useQuery } from '@tanstack/react-query'
import { lazy, Suspense } from 'react'
import { useAccount } from '../account.ts'
import { api, type KeyUsageDetails } from '../api.ts'
import { formatCount, formatPercent } from '../format.ts'
import { queryKeys } from '../queryKeys.ts'
import { Badge } from './Badge.tsx'
import { LastUsedText } from './KeysTable.tsx'
import { EmptyState, ErrorState, Loading } from './QueryStates.tsx'
import { TitledSection } from './TitledSection.tsx'

// Its own chunk, shared with the Activity page: the chart library is most of the bundle.
const KeyUsageChart = lazy(() =>
  import('./KeyUsageChart.tsx').then((module) => ({ default: module.KeyUsageChart })),
)

/** Percentiles are bucket bounds (0.5, 7.5 ms…) or the slowest latency: a decimal below 10 ms, none above. */
function formatLatencyBound(ms: number | null): string {
  if (ms === null) return '—'
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(2))} s`
  return `${ms < 10 ? Number(ms.toFixed(1)) : Math.round(ms)} ms`
}

/** The key drawer's Usage tab: 30 days of one key, read from the server's hourly rollup. */
export function KeyUsagePanel({ keyId }: { keyId: string }) {
  const { account } = useAccount()
  const usage = useQuery({
    queryKey: queryKeys.keyUsageDetails(account.id, keyId),
    queryFn: () => api.keyUsage(keyId),
  })
  if (usage.isPending) return <Loading />
  if (usage.isError) return <ErrorState error={usage.error} onRetry={() => void usage.refetch()} />
  const data = usage.data.data
  return (
    <div className="stack">
      <dl className="stats stats-compact" aria-label="Usage over the last 30 days">
        <Figure label="Requests (30 days)" value={formatCount(data.requests)} />
        <Figure label="Error rate" value={data.requests === 0 ? '—' : formatPercent(data.errorRate)} />
        <Figure label="p50 latency" value={formatLatencyBound(data.p50Ms)} />
        <Figure label="p95 latency" value={formatLatencyBound(data.p95Ms)} />
        <div className="stat">
          <dt>Last used</dt>
          <dd className="stat-small">
            <LastUsedText at={data.lastUsedAt} />
          </dd>
        </div>
      </dl>
      {data.unusedFor30Days ? (
        <p>
          <Badge tone="warning">Revoke candidate</Badge> Unused for 30 days.
        </p>
      ) : null}
      <p className="muted small-print">
        Latencies are upper bounds: at least half (p50) or 95 % (p95) of the requests took no longer.
      </p>
      <Suspense fallback={<Loading label="Loading chart…" />}>
        <KeyUsageChart days={data.days} />
      </Suspense>
      <TitledSection title="Top endpoints and tools" heading="h3">
        {data.topRoutes.length === 0 ? (
          <EmptyState title="No requests in these 30 days" />
        ) : (
          <TopRoutesTable routes={data.topRoutes} />
        )}
      </TitledSection>
    </div>
  )
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd className="stat-medium">{value}</dd>
    </div>
  )
}

function TopRoutesTable({ routes }: { routes: KeyUsageDetails['topRoutes'] }) {
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption className="visually-hidden">Top endpoints and tools over the last 30 days</caption>
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col" className="numeric">
              Requests
            </th>
            <th scope="col" className="numeric">
              Errors
            </th>
          </tr>
        </thead>
        <tbody>
          {routes.map((route) => (
            <tr key={`${route.method} ${route.route}`}>
              <td className="endpoint-cell">
                <span className="method">{route.method}</span>{' '}
                {route.route === null ? (
                  <span className="muted">
                    {route.method === 'MCP' ? 'no tool called' : 'no matching route'}
                  </span>
                ) : (
                  <code>{route.route}</code>
                )}
              </td>
              <td className="numeric">{formatCount(route.requests)}</td>
              <td className="numeric">{formatCount(route.errors)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
