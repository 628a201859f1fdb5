import { useQuery } from '@tanstack/react-query'
import { Tabs } from 'radix-ui'
import { useMemo } from 'react'
import { useAccount, useCan } from '../account.ts'
import { api, type KeyRow } from '../api.ts'
import { useProjects } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'
import { KeyStatusBadge } from './Badge.tsx'
import { HistoryTable } from './HistoryTable.tsx'
import { KeyControlsPanel } from './KeyControlsPanel.tsx'
import { ExpirationText, GraceText, LastUsedText, ScopesText } from './KeysTable.tsx'
import { KeyUsagePanel } from './KeyUsagePanel.tsx'
import { Modal } from './Modal.tsx'
import { EmptyState, ErrorState, Loading } from './QueryStates.tsx'
import { DateText } from './Time.tsx'
import { TitledSection } from './TitledSection.tsx'

/**
 * A key's fields and its management history (who created it, changed its scopes, revoked it, and when) on one tab,
 * its usage over 30 days on another (fetched when that tab is first opened).
 */
export function KeyDetailsDrawer({ apiKey, onClose }: { apiKey: KeyRow; onClose: () => void }) {
  const { account } = useAccount()
  const canManage = useCan('settings.manage')
  const details = useQuery({
    queryKey: queryKeys.key(account.id, apiKey.id),
    queryFn: () => api.key(apiKey.id),
  })
  const key = details.data?.key ?? apiKey
  const projects = useProjects(account.id)
  const projectNames = useMemo(
    () => new Map((projects.data?.data ?? []).map((project) => [project.id, project.name])),
    [projects.data],
  )

  return (
    <Modal
      open
      onOpenChange={(open) => {
        if (!open) onClose()
      }}
      variant="drawer"
      title={key.name}
      description="API key details"
    >
      <Tabs.Root defaultValue="details">
        <Tabs.List className="tabs-list" aria-label="Key views">
          <Tabs.Trigger className="tab" value="details">
            Details
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="usage">
            Usage
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="controls">
            Controls
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="details">
          <dl className="details-list">
            <dt>Key prefix</dt>
            <dd>
              <code className="prefix">{key.prefix}</code>
            </dd>
            <dt>Project</dt>
            <dd>{key.projectName}</dd>
            <dt>Status</dt>
            <dd>
              <KeyStatusBadge status={key.status} />
              <GraceText row={key} />
            </dd>
            <dt>Scopes</dt>
            <dd>
              <ScopesText scopes={key.scopes} />
            </dd>
            <dt>Expiration</dt>
            <dd>
              <ExpirationText row={key} />
            </dd>
            <dt>Last used</dt>
            <dd>
              <LastUsedText at={key.lastUsedAt} />
            </dd>
            <dt>Created</dt>
            <dd>
              <DateText at={key.createdAt} withTime />
            </dd>
            <dt>Created by</dt>
            <dd>{key.creator}</dd>
            {key.revokedAt !== null ? (
              <>
                <dt>Revoked</dt>
                <dd>
                  <DateText at={key.revokedAt} withTime />
                </dd>
              </>
            ) : null}
            {key.exposedAt !== null ? (
              <>
                <dt>Exposed</dt>
                <dd>
                  <DateText at={key.exposedAt} withTime />
                  {key.exposedUrl && /^https?:\/\//.test(key.exposedUrl) ? (
                    <>
                      {' at '}
                      <a href={key.exposedUrl} rel="noreferrer noopener" target="_blank">
                        {key.exposedUrl}
                      </a>
                    </>
                  ) : key.exposedUrl ? (
                    ` in ${key.exposedUrl}`
                  ) : null}
                </dd>
              </>
            ) : null}
          </dl>
          <TitledSection title="History" heading="h3">
            {details.isPending ? (
              <Loading />
            ) : details.isError ? (
              <ErrorState error={details.error} onRetry={() => void details.refetch()} />
            ) : details.data.history.length === 0 ? (
              <EmptyState title="No history yet" />
            ) : (
              <HistoryTable
                events={details.data.history}
                names={projectNames}
                showTarget={false}
                caption="Key history"
              />
            )}
          </TitledSection>
        </Tabs.Content>
        <Tabs.Content value="usage">
          <KeyUsagePanel keyId={key.id} />
        </Tabs.Content>
        <Tabs.Content value="controls">
          <KeyControlsPanel apiKey={key} canManage={canManage} />
        </Tabs.Content>
      </Tabs.Root>
    </Modal>
  )
}
