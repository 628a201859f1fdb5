import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { useAccount, useCan } from '../account.ts'
import { api, type KeyRow } from '../api.ts'
import { BulkRevokeDialog } from '../components/BulkRevokeDialog.tsx'
import { ConnectedAppsSection } from '../components/ConnectedAppsSection.tsx'
import { CreateKeyDialog } from '../components/CreateKeyDialog.tsx'
import { EditScopesDialog } from '../components/EditScopesDialog.tsx'
import { SelectField } from '../components/Field.tsx'
import { KeyDetailsDrawer } from '../components/KeyDetailsDrawer.tsx'
import { KeyExpiryDialog } from '../components/KeyExpiryDialog.tsx'
import { KeyNoticesBanner } from '../components/KeyNoticesBanner.tsx'
import { KeySearchBox } from '../components/KeySearchBox.tsx'
import { KeysTable } from '../components/KeysTable.tsx'
import { PageHeader } from '../components/PageHeader.tsx'
import { Pagination } from '../components/Pagination.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { RevokeKeyDialog } from '../components/RevokeKeyDialog.tsx'
import { RollKeyDialog } from '../components/RollKeyDialog.tsx'
import { ToggleSwitch } from '../components/ToggleSwitch.tsx'
import { formatCount } from '../format.ts'
import { keyListParams, pageSizes, useKeyListView } from '../keyListView.ts'
import { liveRefresh, useProjects } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'

/** Every key of the account: searched, sorted, filtered and paged by the server; the view lives in the URL. */
export function KeysPage() {
  const { account } = useAccount()
  const canManage = useCan('settings.manage')
  const projects = useProjects(account.id)
  const list = useKeyListView()
  const { view } = list
  const [creating, setCreating] = useState(false)
  const [opened, setOpened] = useState<KeyRow | null>(null)
  const [editing, setEditing] = useState<KeyRow | null>(null)
  const [revoking, setRevoking] = useState<KeyRow | null>(null)
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [bulkRevoking, setBulkRevoking] = useState(false)
  const toggleSelected = (key: KeyRow) =>
    setSelected((current) => {
      const next = new Set(current)
      if (!next.delete(key.id)) next.add(key.id)
      return next
    })
  const [rolling, setRolling] = useState<KeyRow | null>(null)
  const [changingExpiry, setChangingExpiry] = useState<KeyRow | null>(null)

  const params = keyListParams(view)
  const keys = useQuery({
    queryKey: queryKeys.keyPage(account.id, params),
    queryFn: () => api.keys(account.id, params),
    placeholderData: keepPreviousData,
    ...liveRefresh, // Last used moves while agents call
  })
  const total = keys.data?.meta.total ?? 0
  const pageCount = Math.max(1, Math.ceil(total / view.size))

  // A revocation under "Hide revoked", or a page number typed in the URL, can point past the end: go to the last.
  const { goToPage } = list
  useEffect(() => {
    if (keys.data && !keys.isPlaceholderData && view.page > pageCount) goToPage(pageCount)
  }, [keys.data, keys.isPlaceholderData, view.page, pageCount, goToPage])

  const filtered = view.project !== '' || view.hideRevoked || view.q.trim() !== ''

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

      <KeyNoticesBanner accountId={account.id} />

      <div className="toolbar">
        <KeySearchBox value={view.q} onSearch={list.search} />
        <SelectField
          className="toolbar-field"
          label="Project"
          value={view.project}
          onChange={list.filterProject}
          options={[
            { value: '', label: 'All projects' },
            ...(projects.data?.data ?? []).map((project) => ({ value: project.id, label: project.name })),
          ]}
        />
        <ToggleSwitch label="Hide revoked" checked={view.hideRevoked} onCheckedChange={list.setHideRevoked} />
        {canManage && selected.size > 0 ? (
          <button type="button" className="button danger" onClick={() => setBulkRevoking(true)}>
            Revoke selected ({selected.size})
          </button>
        ) : null}
      </div>

      {keys.isPending ? (
        <Loading />
      ) : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.data.length === 0 ? (
        filtered ? (
          <EmptyState title="No API keys match these filters">
            {view.q.trim() ? `No key's name or prefix matches “${view.q.trim()}”. ` : ''}
            Change the search or choose another project{view.hideRevoked ? ', or turn off Hide revoked,' : ''}{' '}
            to see more keys.
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
            sort={view.sort}
            order={view.order}
            onSort={list.sortBy}
            canManage={canManage}
            onOpen={setOpened}
            onEditScopes={setEditing}
            onRevoke={setRevoking}
            selected={selected}
            onToggleSelected={toggleSelected}
            onRoll={setRolling}
            onChangeExpiry={setChangingExpiry}
          />
          <Pagination
            page={Math.min(view.page, pageCount)}
            pageCount={pageCount}
            onPageChange={list.goToPage}
            summary={`${formatCount(total)} ${total === 1 ? 'key' : 'keys'}`}
            pageSize={view.size}
            pageSizes={pageSizes}
            onPageSizeChange={list.setSize}
          />
        </>
      )}

      <ConnectedAppsSection />

      {creating ? <CreateKeyDialog open onOpenChange={setCreating} /> : null}
      {opened ? <KeyDetailsDrawer apiKey={opened} onClose={() => setOpened(null)} /> : null}
      {editing ? <EditScopesDialog apiKey={editing} onClose={() => setEditing(null)} /> : null}
      {bulkRevoking ? (
        <BulkRevokeDialog
          keyIds={[...selected]}
          onClose={() => setBulkRevoking(false)}
          onRevoked={() => {
            setSelected(new Set())
            setBulkRevoking(false)
          }}
        />
      ) : null}
      {revoking ? <RevokeKeyDialog apiKey={revoking} onClose={() => setRevoking(null)} /> : null}
      {rolling ? <RollKeyDialog apiKey={rolling} onClose={() => setRolling(null)} /> : null}
      {changingExpiry ? (
        <KeyExpiryDialog apiKey={changingExpiry} onClose={() => setChangingExpiry(null)} />
      ) : null}
    </>
  )
}
