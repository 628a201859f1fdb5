import { useMutation } from '@tanstack/react-query'
import { useAccount } from '../account.ts'
import { api } from '../api.ts'
import { useInvalidateAccount } from '../queries.ts'
import { ConfirmDialog } from './ConfirmDialog.tsx'

/** One confirmation for every selected key; the server revokes all of them or none. */
export function BulkRevokeDialog({
  keyIds,
  onClose,
  onRevoked,
}: {
  keyIds: string[]
  onClose: () => void
  onRevoked: () => void
}) {
  const { account } = useAccount()
  const invalidateAccount = useInvalidateAccount(account.id)
  const revoke = useMutation({
    mutationFn: () => api.revokeKeys(account.id, keyIds),
    onSuccess: () => {
      void invalidateAccount()
      onRevoked()
    },
  })
  const count = keyIds.length === 1 ? '1 key' : `${keyIds.length} keys`
  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => {
        if (!open) onClose()
      }}
      title="Revoke selected API keys"
      description={`Revoke ${count}? Apps using them will get 401 at once.`}
      confirmLabel={`Revoke ${count}`}
      onConfirm={() => revoke.mutate()}
      pending={revoke.isPending}
      error={revoke.error}
    />
  )
}
