import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount, useCan } from '../account.ts'
import { api, type ConnectedApp } from '../api.ts'
import { liveRefresh } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'
import { Badge, type BadgeTone } from './Badge.tsx'
import { LastUsedText, ScopesText } from './KeysTable.tsx'
import { EmptyState, ErrorState, Loading } from './QueryStates.tsx'
import { grantHolder, RevokeConnectedAppDialog } from './RevokeConnectedAppDialog.tsx'
import { ActionsHeader, RowActionButton } from './TableActions.tsx'
import { DateText } from './Time.tsx'
import { TitledSection } from './TitledSection.tsx'

const statuses: Record<string, { label: string; tone: BadgeTone }> = {
  active: { label: 'Active', tone: 'success' },
  revoked: { label: 'Revoked', tone: 'danger' },
}

function GrantStatusBadge({ status }: { status: string }) {
  const known = statuses[status]
  return <Badge tone={known?.tone ?? 'neutral'}>{known?.label ?? status}</Badge>
}

/**
 * OAuth grants are credentials like keys: the MCP clients members allowed on the consent page, beside the keys.
 * Managers revoke any; a member may revoke the apps they connected themselves (the server decides either way).
 */
export function ConnectedAppsSection() {
  const { account, user } = useAccount()
  const canManage = useCan('settings.manage')
  const [revoking, setRevoking] = useState<ConnectedApp | null>(null)
  const apps = useQuery({
    queryKey: queryKeys.connectedApps(account.id),
    queryFn: () => api.connectedApps(account.id),
    ...liveRefresh, // Last used moves while the apps call
  })
  const mayRevoke = (app: ConnectedApp) =>
    app.status === 'active' && (canManage || (app.user !== null && app.user.id === user.id))
  const actions = (apps.data?.items ?? []).some(mayRevoke)

  return (
    <TitledSection title="Connected apps">
      <p className="muted section-description">
        MCP clients connected with OAuth. Each acts as the member who allowed it, on one project, with the
        scopes chosen then, and is refused on its next request once revoked.
      </p>
      {apps.isPending ? (
        <Loading />
      ) : apps.isError ? (
        <ErrorState error={apps.error} onRetry={() => void apps.refetch()} />
      ) : apps.data.items.length === 0 ? (
        <EmptyState title="No connected apps">
          An MCP client (Claude Code, Cursor, VS Code…) given this server's <code>/api/mcp</code> address
          without a key opens this dashboard: the member signs in, picks a project and scopes, and the app
          shows up here, revocable like a key.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Connected apps</caption>
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">User</th>
                <th scope="col">Project</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                {actions ? <ActionsHeader /> : null}
              </tr>
            </thead>
            <tbody>
              {apps.data.items.map((app) => (
                <tr key={app.id} className={app.status === 'revoked' ? 'row-muted' : undefined}>
                  <td className="name-cell">
                    <span className="stacked">
                      <strong>{app.clientName}</strong> <span className="muted">{app.redirectHost}</span>
                    </span>
                  </td>
                  <td>
                    {app.user ? (
                      <span className="stacked">
                        {app.user.name} <span className="muted">{app.user.email}</span>
                      </span>
                    ) : (
                      <span className="muted">Deleted user</span>
                    )}
                  </td>
                  <td>{app.project.name}</td>
                  <td className="scopes-cell">
                    <ScopesText scopes={app.scopes} />
                  </td>
                  <td className="nowrap">
                    <DateText at={app.createdAt} />
                  </td>
                  <td className="nowrap">
                    <LastUsedText at={app.lastUsedAt} />
                  </td>
                  <td>
                    <GrantStatusBadge status={app.status} />
                  </td>
                  {actions ? (
                    <td className="actions-cell">
                      {mayRevoke(app) ? (
                        <RowActionButton
                          danger
                          aria-label={`Revoke ${app.clientName} for ${grantHolder(app)}`}
                          onClick={() => setRevoking(app)}
                        >
                          Revoke
                        </RowActionButton>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking ? <RevokeConnectedAppDialog app={revoking} onClose={() => setRevoking(null)} /> : null}
    </TitledSection>
  )
}
