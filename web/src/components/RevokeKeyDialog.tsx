import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useAccount } from '../account.ts'
import { api, type KeyPage, type KeyRow } from '../api.ts'
import { useInvalidateAccount } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'
import { ConfirmDialog } from './ConfirmDialog.tsx'

/** Revocation, confirmed by name; the key's row shows "Revoked" (or leaves a hide-revoked list) at once. */
export function RevokeKeyDialog({ apiKey, onClose }: { apiKey: KeyRow; onClose: () => void }) {
  const { account } = useAccount()
  const queryClient = useQueryClient()
  const invalidateAccount = useInvalidateAccount(account.id)
  const revoke = useMutation({
    mutationFn: () => api.revokeKey(apiKey.id),
    onSuccess: (revoked) => {
      const updated: KeyRow = { ...apiKey, ...revoked, status: 'revoked' }
      for (const [queryKey, page] of queryClient.getQueriesData<KeyPage>({
        queryKey: queryKeys.keyPages(account.id),
      })) {
        if (!page) continue
        const hideRevoked = (queryKey[4] as { hideRevoked?: boolean } | undefined)?.hideRevoked === true
        const data = hideRevoked
          ? page.data.filter((row) => row.id !== updated.id)
          : page.data.map((row) => (row.id === updated.id ? updated : row))
        const removed = page.data.length - data.length
        queryClient.setQueryData<KeyPage>(queryKey, {
          ...page,
          data,
          meta: { ...page.meta, total: page.meta.total - removed },
        })
      }
      void invalidateAccount()
      onClose()
    },
  })

  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => {
        if (!open) onClose()
      }}
      title="Revoke API key"
      description={`Revoke “${apiKey.name}”? Apps using it will get 401 at once.`}
      confirmLabel="Revoke key"
      onConfirm={() => revoke.mutate()}
      pending={revoke.isPending}
      error={revoke.error}
    />
  )
}
