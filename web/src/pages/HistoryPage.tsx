import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { useMemo } from 'react'
import { useSearchParams } from 'react-router'
import { useAccount } from '../account.ts'
import { api, type HistoryFilters, type KeyListParams } from '../api.ts'
import { actionLabel, historyActions, targetTypeChoices } from '../catalogue.ts'
import { SelectField } from '../components/Field.tsx'
import { HistoryTable } from '../components/HistoryTable.tsx'
import { PageHeader } from '../components/PageHeader.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { useProjects } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'

const keyNames: KeyListParams = { pageSize: 100 }
const pageSize = 100

/** The account's management history: keys created, scopes changed, keys revoked, members and roles changed. */
export function HistoryPage() {
  const { account } = useAccount()
  const [params, setParams] = useSearchParams()
  const filters: HistoryFilters = {
    action: params.get('action') || undefined,
    actor: params.get('actor') || undefined,
    targetType: params.get('target') || undefined,
  }
  const setFilter = (name: 'action' | 'actor' | 'target') => (value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current)
      if (value) next.set(name, value)
      else next.delete(name)
      return next
    })

  const history = useInfiniteQuery({
    queryKey: queryKeys.history(account.id, filters),
    queryFn: ({ pageParam }) => api.history(account.id, { ...filters, limit: pageSize, before: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.meta.nextBefore,
  })
  // Names for the Target column; the history shows ids where these do not reach (a key beyond the first 100).
  const projects = useProjects(account.id)
  const keys = useQuery({
    queryKey: queryKeys.keyPage(account.id, keyNames),
    queryFn: () => api.keys(account.id, keyNames),
  })
  const members = useQuery({
    queryKey: queryKeys.members(account.id),
    queryFn: () => api.members(account.id),
  })
  const webhooks = useQuery({
    queryKey: queryKeys.webhooks(account.id, false),
    queryFn: () => api.webhooks(account.id, false),
  })

  const names = useMemo(() => {
    const map = new Map<string, string>()
    map.set(account.id, account.name)
    for (const project of projects.data?.data ?? []) map.set(project.id, project.name)
    for (const key of keys.data?.data ?? []) map.set(key.id, key.name)
    for (const member of members.data?.data ?? []) map.set(member.userId, member.email)
    for (const webhook of webhooks.data?.data ?? []) map.set(webhook.id, webhook.url)
    return map
  }, [account, projects.data, keys.data, members.data, webhooks.data])

  const events = history.data?.pages.flatMap((page) => page.data) ?? []
  const filtered = Object.values(filters).some(Boolean)

  return (
    <>
      <PageHeader
        title="History"
        description="Management actions on this account, newest first: who did what, and when."
        actions={
          <a className="button" href={api.historyExportUrl(account.id, 'csv')} download>
            Export all (CSV)
          </a>
        }
      />
      <div className="toolbar filters">
        <SelectField
          className="toolbar-field"
          label="Action"
          value={filters.action ?? ''}
          onChange={setFilter('action')}
          options={[
            { value: '', label: 'Any action' },
            ...historyActions.map((action) => ({ value: action, label: actionLabel(action) })),
          ]}
        />
        <SelectField
          className="toolbar-field"
          label="Who"
          value={filters.actor ?? ''}
          onChange={setFilter('actor')}
          options={[
            { value: '', label: 'Anyone' },
            ...(members.data?.data ?? []).map((member) => ({ value: member.userId, label: member.email })),
            { value: 'operator', label: 'Operator (CLI)' },
          ]}
        />
        <SelectField
          className="toolbar-field"
          label="On"
          value={filters.targetType ?? ''}
          onChange={setFilter('target')}
          options={targetTypeChoices}
        />
      </div>
      {history.isPending ? (
        <Loading />
      ) : history.isError && events.length === 0 ? (
        <ErrorState error={history.error} onRetry={() => void history.refetch()} />
      ) : events.length === 0 ? (
        <EmptyState title={filtered ? 'Nothing matches these filters' : 'No history yet'}>
          {filtered
            ? 'Choose another action, person or kind of object.'
            : 'Key, project, member and webhook changes are recorded here.'}
        </EmptyState>
      ) : (
        <>
          <HistoryTable events={events} names={names} caption="Management history" />
          {history.isFetchNextPageError ? (
            <ErrorState error={history.error} onRetry={() => void history.fetchNextPage()} />
          ) : null}
          {history.hasNextPage ? (
            <div className="load-more">
              <button
                type="button"
                className="button"
                onClick={() => void history.fetchNextPage()}
                disabled={history.isFetchingNextPage}
                aria-busy={history.isFetchingNextPage}
              >
                Load more
              </button>
            </div>
          ) : null}
        </>
      )}
    </>
  )
}
