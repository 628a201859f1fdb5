import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { useAccount } from '../account.ts'
import { filtersOf, rangeMs, useActivityView, withPeriod } from '../activityFilters.ts'
import { api } from '../api.ts'
import { ActivityChart } from '../components/ActivityChart.tsx'
import { ActivityDetailDrawer } from '../components/ActivityDetailDrawer.tsx'
import { ActivityFiltersBar } from '../components/ActivityFiltersBar.tsx'
import { ActivityTable } from '../components/ActivityTable.tsx'
import { KeyUsageTable } from '../components/KeyUsageTable.tsx'
import { PageHeader } from '../components/PageHeader.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { TitledSection } from '../components/TitledSection.tsx'
import { liveRefresh } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'

const pageSize = 100

/** Recent keyed requests of the account: filters, a requests-over-time chart, the requests and per-key usage. */
export function ActivityPage() {
  const { account } = useAccount()
  const { view, change } = useActivityView()
  const filters = filtersOf(view)
  // The period is part of the query key as the URL says it ("24h"), and turned into instants at each fetch, so that
  // every refresh looks at the latest 24 hours without starting the list over.
  const period = { range: view.range, from: view.from, to: view.to }
  const key = { ...filters, ...period }

  const series = useQuery({
    queryKey: queryKeys.activitySeries(account.id, key),
    queryFn: () => api.activitySeries(account.id, withPeriod(view, filters)),
    ...liveRefresh,
  })
  const rows = useInfiniteQuery({
    queryKey: queryKeys.activity(account.id, key),
    queryFn: ({ pageParam }) =>
      api.activity(account.id, { ...withPeriod(view, filters), limit: pageSize, before: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.meta.nextBefore,
    ...liveRefresh,
  })
  const usage = useQuery({
    queryKey: queryKeys.keyUsage(account.id),
    queryFn: () => api.activityKeys(account.id),
    ...liveRefresh,
  })

  const activityRows = rows.data?.pages.flatMap((page) => page.data) ?? []

  return (
    <>
      <PageHeader
        title="Agent Activity"
        description="Requests made with this account's API keys: who called what, how it went, why it failed and how fast."
        actions={
          <>
            {(['csv', 'ndjson'] as const).map((format) => (
              <button
                key={format}
                type="button"
                className="button"
                title={`Download every request of the current filter as ${format === 'csv' ? 'CSV' : 'NDJSON'}`}
                // The period is resolved at the click, as for a refresh; the server sends it as an attachment.
                onClick={() =>
                  window.location.assign(api.activityExportUrl(account.id, withPeriod(view, filters), format))
                }
              >
                Export {format === 'csv' ? 'CSV' : 'NDJSON'}
              </button>
            ))}
            <button
              type="button"
              className="button"
              onClick={() => {
                void series.refetch()
                void rows.refetch()
                void usage.refetch()
              }}
              disabled={series.isFetching || rows.isFetching}
            >
              Refresh
            </button>
          </>
        }
      />
      <ActivityFiltersBar accountId={account.id} view={view} onChange={change} />

      <section className="section card">
        {series.isPending ? (
          <Loading label="Loading chart…" />
        ) : series.isError ? (
          <ErrorState error={series.error} onRetry={() => void series.refetch()} />
        ) : (
          <ActivityChart buckets={series.data.data} spanMs={rangeMs(view)} />
        )}
      </section>

      <TitledSection title="Requests">
        {rows.isPending ? (
          <Loading />
        ) : rows.isError && activityRows.length === 0 ? (
          <ErrorState error={rows.error} onRetry={() => void rows.refetch()} />
        ) : activityRows.length === 0 ? (
          <EmptyState title="No requests in this period">
            Requests made with the account's API keys appear here. Try a longer time range or fewer filters.
          </EmptyState>
        ) : (
          <>
            <ActivityTable
              rows={activityRows}
              caption="Requests"
              onOpen={(row) => change({ request: row.id })}
            />
            {rows.isFetchNextPageError ? (
              <ErrorState error={rows.error} onRetry={() => void rows.fetchNextPage()} />
            ) : null}
            {rows.hasNextPage ? (
              <div className="load-more">
                <button
                  type="button"
                  className="button"
                  onClick={() => void rows.fetchNextPage()}
                  disabled={rows.isFetchingNextPage}
                  aria-busy={rows.isFetchingNextPage}
                >
                  Load more
                </button>
              </div>
            ) : null}
          </>
        )}
      </TitledSection>

      <TitledSection title="Per-key usage">
        {usage.isPending ? (
          <Loading />
        ) : usage.isError ? (
          <ErrorState error={usage.error} onRetry={() => void usage.refetch()} />
        ) : usage.data.data.length === 0 ? (
          <EmptyState title="No key usage yet">Usage per key over the last 30 days appears here.</EmptyState>
        ) : (
          <KeyUsageTable usage={usage.data.data} />
        )}
      </TitledSection>

      {view.request ? (
        <ActivityDetailDrawer activityId={view.request} onClose={() => change({ request: null })} />
      ) : null}
    </>
  )
}
