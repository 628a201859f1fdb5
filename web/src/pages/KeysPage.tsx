import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { useAccount, useCan } from '../account.ts'
import { api, type KeyListParams, type KeyRow, type KeySort, type SortOrder } from '../api.ts'
import { CreateKeyDialog } from '../components/CreateKeyDialog.tsx'
import { EditScopesDialog } from '../components/EditScopesDialog.tsx'
import { SelectField } from '../components/Field.tsx'
import { KeyDetailsDrawer } from '../components/KeyDetailsDrawer.tsx'
import { KeyExpiryDialog } from '../components/KeyExpiryDialog.tsx'
import { KeysTable } from '../components/KeysTable.tsx'
import { PageHeader } from '../components/PageHeader.tsx'
import { Pagination } from '../components/Pagination.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { RevokeKeyDialog } from '../components/RevokeKeyDialog.tsx'
import { RollKeyDialog } from '../components/RollKeyDialog.tsx'
import { ToggleSwitch } from '../components/ToggleSwitch.tsx'
import { formatCount } from '../format.ts'
import { liveRefresh, useProjects } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'
import { useStoredBoolean } from '../useStoredBoolean.ts'

const pageSize = 25
const ascendingFirst: ReadonlySet<KeySort> = new Set(['name', 'project', 'status'])

/** Every key of the account: sorted, filtered and paged by the server. */
export function KeysPage() {
  const { account } = useAccount()
  const canManage = useCan('settings.manage')
  const projects = useProjects(account.id)
  const [hideRevoked, setHideRevoked] = useStoredBoolean('keyward.keys.hideRevoked')
  const [projectId, setProjectId] = useState('')
  const [sort, setSort] = useState<KeySort>('created')
  const [order, setOrder] = useState<SortOrder>('desc')
  const [page, setPage] = useState(1)
  const [creating, setCreating] = useState(false)
  const [opened, setOpened] = useState<KeyRow | null>(null)
  const [editing, setEditing] = useState<KeyRow | null>(null)
  const [revoking, setRevoking] = useState<KeyRow | null>(null)
  const [rolling, setRolling] = useState<KeyRow | null>(null)
  const [changingExpiry, setChangingExpiry] = useState<KeyRow | null>(null)

  const params: KeyListParams = {
    projectId: projectId || undefined,
    hideRevoked,
    sort,
    order,
    page,
    pageSize,
  }
  const keys = useQuery({
    queryKey: queryKeys.keyPage(account.id, params),
    queryFn: () => api.keys(account.id, params),
    placeholderData: keepPreviousData,
    ...liveRefresh, // Last used moves while agents call
  })
  const total = keys.data?.meta.total ?? 0
  const pageCount = Math.max(1, Math.ceil(total / pageSize))

  // A revocation under "Hide revoked" can empty the last page: step back to the new last one.
  useEffect(() => {
    if (keys.data && !keys.isPlaceholderData && page > pageCount) setPage(pageCount)
  }, [keys.data, keys.isPlaceholderData, page, pageCount])

  function changeSort(field: KeySort) {
    if (field === sort) setOrder(order === 'asc' ? 'desc' : 'asc')
    else {
      setSort(field)
      setOrder(ascendingFirst.has(field) ? 'asc' : 'desc')
    }
    setPage(1)
  }

  const filtered = projectId !== '' || hideRevoked

  return (
    <>
      <PageHeader
        title="API Keys"
        description="Keys let apps and agents call the API for one project. Every key of the account is listed here."
        actions={
          canManage ? (
            <button type="button" className="button primary" onClick={() => setCreating(true)}>
              Create API Key
            </button>
          ) : (
            <p className="note">You have read-only access to API keys.</p>
          )
        }
      />

      <div className="toolbar">
        <SelectField
          className="toolbar-field"
          label="Project"
          value={projectId}
          onChange={(value) => {
            setProjectId(value)
            setPage(1)
          }}
          options={[
            { value: '', label: 'All projects' },
            ...(projects.data?.data ?? []).map((project) => ({ value: project.id, label: project.name })),
          ]}
        />
        <ToggleSwitch
          label="Hide revoked"
          checked={hideRevoked}
          onCheckedChange={(checked) => {
            setHideRevoked(checked)
            setPage(1)
          }}
        />
      </div>

      {keys.isPending ? (
        <Loading />
      ) : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.data.length === 0 ? (
        filtered ? (
          <EmptyState title="No API keys match these filters">
            Choose another project{hideRevoked ? ' or turn off Hide revoked' : ''} to see more keys.
          </EmptyState>
        ) : (
          <EmptyState title="No API keys yet">
            {canManage
              ? 'Create a key with Create API Key to let an app or agent call the API.'
              : 'A member who manages settings can create one.'}
          </EmptyState>
        )
      ) : (
        <>
          <KeysTable
            keys={keys.data.data}
            sort={sort}
            order={order}
            onSort={changeSort}
            canManage={canManage}
            onOpen={setOpened}
            onEditScopes={setEditing}
            onRevoke={setRevoking}
            onRoll={setRolling}
            onChangeExpiry={setChangingExpiry}
          />
          <Pagination
            page={Math.min(page, pageCount)}
            pageCount={pageCount}
            onPageChange={setPage}
            summary={`${formatCount(total)} ${total === 1 ? 'key' : 'keys'}`}
          />
        </>
      )}

      {creating ? <CreateKeyDialog open onOpenChange={setCreating} /> : null}
      {opened ? <KeyDetailsDrawer apiKey={opened} onClose={() => setOpened(null)} /> : null}
      {editing ? <EditScopesDialog apiKey={editing} onClose={() => setEditing(null)} /> : null}
      {revoking ? <RevokeKeyDialog apiKey={revoking} onClose={() => setRevoking(null)} /> : null}
      {rolling ? <RollKeyDialog apiKey={rolling} onClose={() => setRolling(null)} /> : null}
      {changingExpiry ? (
        <KeyExpiryDialog apiKey={changingExpiry} onClose={() => setChangingExpiry(null)} />
      ) : null}
    </>
  )
}
