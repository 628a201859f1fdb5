import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount } from '../account.ts'
import { api, type KeyRow } from '../api.ts'
import { allScopes, scopesForRequest } from '../catalogue.ts'
import { useInvalidateAccount } from '../queries.ts'
import { FormDialogFooter } from './FormDialogFooter.tsx'
import { Modal } from './Modal.tsx'
import { ScopePicker } from './ScopePicker.tsx'

/** Narrow or widen a key's scopes (it takes effect at once: the server drops its cached copy of the key). */
export function EditScopesDialog({ apiKey, onClose }: { apiKey: KeyRow; onClose: () => void }) {
  const { account } = useAccount()
  const invalidateAccount = useInvalidateAccount(account.id)
  const [scopes, setScopes] = useState<Set<string>>(() => new Set(apiKey.scopes ?? allScopes))
  const [submitted, setSubmitted] = useState(false)
  const save = useMutation({
    mutationFn: (chosen: string[] | null) => api.updateKeyScopes(apiKey.id, chosen),
    onSuccess: () => {
      void invalidateAccount()
      onClose()
    },
  })
  const scopeError = submitted && scopes.size === 0 ? 'Choose at least one scope' : null

  function submit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault()
    setSubmitted(true)
    if (scopes.size === 0) return
    save.mutate(scopesForRequest(scopes))
  }

  return (
    <Modal
      open
      onOpenChange={(open) => {
        if (!open) onClose()
      }}
      title="Edit scopes"
      description={`Choose what “${apiKey.name}” may call. Apps using it see the change at once.`}
    >
      <form className="stack" onSubmit={submit} noValidate>
        <ScopePicker selected={scopes} onChange={setScopes} error={scopeError} />
        <FormDialogFooter mutation={save} onCancel={onClose} submitLabel="Save scopes" />
      </form>
    </Modal>
  )
}
