import { useMutation } from '@tanstack/react-query'
import { useAccount } from '../account.ts'
import { api, type ConnectedApp } from '../api.ts'
import { useInvalidateAccount } from '../queries.ts'
import { ConfirmDialog } from './ConfirmDialog.tsx'

/** Whose grant it is, for a sentence or a button's label. */
export const grantHolder = (app: ConnectedApp) => app.user?.email ?? 'a deleted user'

/** Revoking a grant, confirmed by the app, the member and the project it is for; the list refreshes after. */
export function RevokeConnectedAppDialog({ app, onClose }: { app: ConnectedApp; onClose: () => void }) {
  const { account } = useAccount()
  const invalidateAccount = useInvalidateAccount(account.id)
  const revoke = useMutation({
    mutationFn: () => api.revokeConnectedApp(app.id),
    onSuccess: async () => {
      await invalidateAccount()
      onClose()
    },
  })
  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => {
        if (!open) onClose()
      }}
      title="Revoke connected app"
      description={`Revoke “${app.clientName}” for ${grantHolder(app)} on ${app.project.name}? Its next request is refused; to connect again, the app must ask for consent again.`}
      confirmLabel="Revoke app"
      onConfirm={() => revoke.mutate()}
      pending={revoke.isPending}
      error={revoke.error}
    />
  )
}
