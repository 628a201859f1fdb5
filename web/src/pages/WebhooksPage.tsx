import { useMutation, useQuery } from '@tanstack/react-query'
import { Fragment, useState } from 'react'
import { useAccount, useCan } from '../account.ts'
import { api, type WebhookRow } from '../api.ts'
import { Badge } from '../components/Badge.tsx'
import { ConfirmDialog } from '../components/ConfirmDialog.tsx'
import { CreateWebhookDialog } from '../components/CreateWebhookDialog.tsx'
import { PageHeader } from '../components/PageHeader.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { RotateSecretDialog } from '../components/RotateSecretDialog.tsx'
import { ActionsHeader, RowActionButton } from '../components/TableActions.tsx'
import { ToggleSwitch } from '../components/ToggleSwitch.tsx'
import { WebhookDeliveries } from '../components/WebhookDeliveries.tsx'
import { useInvalidateAccount } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'
import { useStoredBoolean } from '../useStoredBoolean.ts'

export function WebhooksPage() {
  const { account } = useAccount()
  const canManage = useCan('settings.manage')
  const invalidateAccount = useInvalidateAccount(account.id)
  const [hideInactive, setHideInactive] = useStoredBoolean('keyward.webhooks.hideInactive')
  const [creating, setCreating] = useState(false)
  const [rotating, setRotating] = useState<WebhookRow | null>(null)
  const [deleting, setDeleting] = useState<WebhookRow | null>(null)
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set())
  const webhooks = useQuery({
    queryKey: queryKeys.webhooks(account.id, hideInactive),
    queryFn: () => api.webhooks(account.id, hideInactive),
  })
  const remove = useMutation({
    mutationFn: (webhook: WebhookRow) => api.deleteWebhook(webhook.id),
    onSuccess: () => {
      setDeleting(null)
      void invalidateAccount()
    },
  })

  function toggleDeliveries(id: string) {
    const next = new Set(expanded)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setExpanded(next)
  }

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Signed HTTP callbacks to your servers when search tracking completes, visibility changes or actions move."
        actions={
          canManage ? (
            <button type="button" className="button primary" onClick={() => setCreating(true)}>
              Create webhook
            </button>
          ) : (
            <p className="note">You have read-only access to webhooks.</p>
          )
        }
      />
      <div className="toolbar">
        <ToggleSwitch label="Hide inactive" checked={hideInactive} onCheckedChange={setHideInactive} />
      </div>
      {webhooks.isPending ? (
        <Loading />
      ) : webhooks.isError ? (
        <ErrorState error={webhooks.error} onRetry={() => void webhooks.refetch()} />
      ) : webhooks.data.data.length === 0 ? (
        hideInactive ? (
          <EmptyState title="No active webhooks">Turn off Hide inactive to see deleted ones.</EmptyState>
        ) : (
          <EmptyState title="No webhooks yet">
            {canManage ? 'Create one with Create webhook to get events pushed to your servers.' : null}
          </EmptyState>
        )
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Webhooks</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Project</th>
                <th scope="col">Events</th>
                <th scope="col">Status</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {webhooks.data.data.map((webhook) => {
                const open = expanded.has(webhook.id)
                const deliveriesId = `deliveries-${webhook.id}`
                return (
                  <Fragment key={webhook.id}>
                    <tr className={webhook.active ? undefined : 'row-muted'}>
                      <td className="url-cell">
                        <code>{webhook.url}</code>
                      </td>
                      <td>{webhook.projectName}</td>
                      <td className="events-cell">{webhook.events.join(', ')}</td>
                      <td>
                        <Badge tone={webhook.active ? 'success' : 'neutral'}>
                          {webhook.active ? 'Active' : 'Inactive'}
                        </Badge>
                      </td>
                      <td className="actions-cell">
                        <div className="row-actions">
                          <RowActionButton
                            aria-label={`Deliveries for ${webhook.url}`}
                            aria-expanded={open}
                            aria-controls={open ? deliveriesId : undefined}
                            onClick={() => toggleDeliveries(webhook.id)}
                          >
                            Deliveries
                          </RowActionButton>
                          {canManage && webhook.active ? (
                            <>
                              <RowActionButton
                                aria-label={`Rotate secret for ${webhook.url}`}
                                onClick={() => setRotating(webhook)}
                              >
                                Rotate secret
                              </RowActionButton>
                              <RowActionButton
                                danger
                                aria-label={`Delete ${webhook.url}`}
                                onClick={() => setDeleting(webhook)}
                              >
                                Delete
                              </RowActionButton>
                            </>
                          ) : null}
                        </div>
                      </td>
                    </tr>
                    {open ? (
                      <tr className="expansion-row">
                        <td colSpan={5} id={deliveriesId}>
                          <WebhookDeliveries webhook={webhook} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      {creating ? <CreateWebhookDialog onClose={() => setCreating(false)} /> : null}
      {rotating ? <RotateSecretDialog webhook={rotating} onClose={() => setRotating(null)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => {
          if (!open) {
            setDeleting(null)
            remove.reset()
          }
        }}
        title="Delete webhook"
        description={`Delete the webhook for ${deleting?.url ?? ''}? It stops receiving deliveries at once; pending ones are cancelled.`}
        confirmLabel="Delete webhook"
        onConfirm={() => {
          if (deleting) remove.mutate(deleting)
        }}
        pending={remove.isPending}
        error={remove.error}
      />
    </>
  )
}
