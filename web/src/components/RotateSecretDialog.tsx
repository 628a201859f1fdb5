import { useMutation } from '@tanstack/react-query'
import { AlertDialog } from 'radix-ui'
import { useState } from 'react'
import { useAccount } from '../account.ts'
import { api, type WebhookRow } from '../api.ts'
import { useInvalidateAccount } from '../queries.ts'
import { CopyField } from './CopyField.tsx'
import { FormError } from './QueryStates.tsx'
import { useReturnFocus } from './useReturnFocus.ts'

/** Confirms a secret rotation, then shows the new secret once. No Overlay: see Modal. */
export function RotateSecretDialog({ webhook, onClose }: { webhook: WebhookRow; onClose: () => void }) {
  const returnFocus = useReturnFocus()
  const { account } = useAccount()
  const invalidateAccount = useInvalidateAccount(account.id)
  const [secret, setSecret] = useState<string | null>(null)
  const rotate = useMutation({
    mutationFn: () => api.rotateWebhookSecret(webhook.id),
    onSuccess: (result) => {
      setSecret(result.secret)
      void invalidateAccount()
    },
  })

  function close() {
    setSecret(null)
    onClose()
  }

  return (
    <AlertDialog.Root
      open
      onOpenChange={(open) => {
        if (!open) close()
      }}
    >
      <AlertDialog.Portal>
        <div className="backdrop" />
        <AlertDialog.Content {...returnFocus} className="dialog dialog-small">
          <AlertDialog.Title className="dialog-title">Rotate secret</AlertDialog.Title>
          {secret ? (
            <>
              <AlertDialog.Description className="dialog-description">
                The new signing secret of {webhook.url}. Deliveries are signed with it from now on.
              </AlertDialog.Description>
              <div className="stack">
                <p className="callout callout-warning">
                  <strong>This secret will not be shown again.</strong> Update your receiver with it now.
                </p>
                <CopyField label="Signing secret" value={secret} />
              </div>
              <div className="dialog-actions">
                <AlertDialog.Action className="button primary">Done</AlertDialog.Action>
              </div>
            </>
          ) : (
            <>
              <AlertDialog.Description className="dialog-description">
                Rotate the signing secret of {webhook.url}? Deliveries are signed with a new secret from now
                on, so the receiver must be updated with it.
              </AlertDialog.Description>
              <FormError error={rotate.error} />
              <div className="dialog-actions">
                <AlertDialog.Cancel className="button">Cancel</AlertDialog.Cancel>
                <button
                  type="button"
                  className="button primary"
                  onClick={() => rotate.mutate()}
                  disabled={rotate.isPending}
                  aria-busy={rotate.isPending}
                >
                  Rotate secret
                </button>
              </div>
            </>
          )}
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  )
}
