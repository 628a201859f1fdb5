import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount } from '../account.ts'
import { api, type KeyRow } from '../api.ts'
import { useInvalidateAccount } from '../queries.ts'
import { defaultExpiry, ExpiryPicker, expiresValue } from './ExpiryPicker.tsx'
import { FormDialogFooter } from './FormDialogFooter.tsx'
import { Modal } from './Modal.tsx'

/** Extend or shorten an active key's expiry, counted from now; every node applies it at once. */
export function KeyExpiryDialog({ apiKey, onClose }: { apiKey: KeyRow; onClose: () => void }) {
  const { account } = useAccount()
  const invalidateAccount = useInvalidateAccount(account.id)
  const [expires, setExpires] = useState(defaultExpiry)
  const save = useMutation({
    mutationFn: () => api.updateKeyExpiry(apiKey.id, expiresValue(expires)),
    onSuccess: () => {
      void invalidateAccount()
      onClose()
    },
  })
  return (
    <Modal
      open
      onOpenChange={(open) => {
        if (!open) onClose()
      }}
      title="Change expiration"
      description={`When “${apiKey.name}” stops working, counted from now.`}
    >
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault()
          save.mutate()
        }}
        noValidate
      >
        <ExpiryPicker label="New expiration" value={expires} onChange={setExpires} />
        <FormDialogFooter mutation={save} onCancel={onClose} submitLabel="Save expiration" />
      </form>
    </Modal>
  )
}
