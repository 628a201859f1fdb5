import { useQuery } from '@tanstack/react-query'
import { useMemo } from 'react'
import { useAccount } from '../account.ts'
import { api, type KeyListParams } from '../api.ts'
import { HistoryTable } from '../components/HistoryTable.tsx'
import { PageHeader } from '../components/PageHeader.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { useProjects } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'

const keyNames: KeyListParams = { pageSize: 100 }

/** The account's management history: keys created, scopes changed, keys revoked, members and roles changed. */
export function HistoryPage() {
  const { account } = useAccount()
  const history = useQuery({
    queryKey: queryKeys.history(account.id),
    queryFn: () => api.history(account.id),
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

  return (
    <>
      <PageHeader
        title="History"
        description="Management actions on this account, newest first: who did what, and when."
      />
      {history.isPending ? (
        <Loading />
      ) : history.isError ? (
        <ErrorState error={history.error} onRetry={() => void history.refetch()} />
      ) : history.data.data.length === 0 ? (
        <EmptyState title="No history yet">
          Key, project, member and webhook changes are recorded here.
        </EmptyState>
      ) : (
        <HistoryTable events={history.data.data} names={names} caption="Management history" />
      )}
    </>
  )
}
