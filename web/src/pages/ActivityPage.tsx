import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount } from '../account.ts'
import { type ActivityFilters, api, type KeyListParams, type StatusClass } from '../api.ts'
import { statusClassChoices, timeRanges } from '../catalogue.ts'
import { ActivityChart } from '../components/ActivityChart.tsx'
import { ActivityTable } from '../components/ActivityTable.tsx'
import { SelectField } from '../components/Field.tsx'
import { KeyUsageTable } from '../components/KeyUsageTable.tsx'
import { PageHeader } from '../components/PageHeader.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { TitledSection } from '../components/TitledSection.tsx'
import { useProjects } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'

const keyChoices: KeyListParams = { pageSize: 100 }
const defaultRange = '24h'

/** Recent keyed requests of the account: filters, a requests-over-time chart, the requests and per-key usage. */
export function ActivityPage() {
  const { account } = useAccount()
  const projects = useProjects(account.id)
  const keys = useQuery({
    queryKey: queryKeys.keyPage(account.id, keyChoices),
    queryFn: () => api.keys(account.id, keyChoices),
  })
  const [keyId, setKeyId] = useState('')
  const [projectId, setProjectId] = useState('')
  const [statusClass, setStatusClass] = useState<StatusClass | ''>('')
  const [range, setRange] = useState(defaultRange)
  // The end of the period: now when the page opens, when a filter changes and on Refresh.
  const [anchor, setAnchor] = useState(() => Date.now())

  const rangeMs = (timeRanges.find((choice) => choice.value === range) ?? timeRanges[1])?.ms ?? 86_400_000
  const filters: ActivityFilters = {
    keyId: keyId || undefined,
    projectId: projectId || undefined,
    statusClass: statusClass || undefined,
    from: anchor - rangeMs,
    to: anchor,
  }

  const series = useQuery({
    queryKey: queryKeys.activitySeries(account.id, filters),
    queryFn: () => api.activitySeries(account.id, filters),
  })
  const rows = useInfiniteQuery({
    queryKey: queryKeys.activity(account.id, filters),
    queryFn: ({ pageParam }) => api.activity(account.id, { ...filters, limit: 50, before: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.meta.nextBefore,
  })
  const usage = useQuery({
    queryKey: queryKeys.keyUsage(account.id),
    queryFn: () => api.activityKeys(account.id),
  })

  function update<T>(set: (value: T) => void) {
    return (value: T) => {
      set(value)
      setAnchor(Date.now())
    }
  }

  function refresh() {
    setAnchor(Date.now())
    void usage.refetch()
  }

  const activityRows = rows.data?.pages.flatMap((page) => page.data) ?? []

  return (
    <>
      <PageHeader
        title="Agent Activity"
        description="Requests made with this account's API keys: who called what, how it went and how fast."
        actions={
          <button
            type="button"
            className="button"
            onClick={refresh}
            disabled={series.isFetching || rows.isFetching}
          >
            Refresh
          </button>
        }
      />
      <div className="toolbar filters">
        <SelectField
          className="toolbar-field"
          label="Key"
          value={keyId}
          onChange={update(setKeyId)}
          options={[
            { value: '', label: 'All keys' },
            ...(keys.data?.data ?? []).map((key) => ({
              value: key.id,
              label: `${key.name} (${key.prefix})`,
            })),
          ]}
        />
        <SelectField
          className="toolbar-field"
          label="Project"
          value={projectId}
          onChange={update(setProjectId)}
          options={[
            { value: '', label: 'All projects' },
            ...(projects.data?.data ?? []).map((project) => ({ value: project.id, label: project.name })),
          ]}
        />
        <SelectField
          className="toolbar-field"
          label="Status"
          value={statusClass}
          onChange={update((value: string) => setStatusClass(value as StatusClass | ''))}
          options={statusClassChoices}
        />
        <SelectField
          className="toolbar-field"
          label="Time range"
          value={range}
          onChange={update(setRange)}
          options={timeRanges}
        />
      </div>

      <section className="section card">
        {series.isPending ? (
          <Loading label="Loading chart…" />
        ) : series.isError ? (
          <ErrorState error={series.error} onRetry={() => void series.refetch()} />
        ) : (
          <ActivityChart buckets={series.data.data} spanMs={rangeMs} />
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
            <ActivityTable rows={activityRows} caption="Requests" />
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
    </>
  )
}
