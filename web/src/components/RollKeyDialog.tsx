import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount } from '../account.ts'
import { api, type CreatedKey, type GracePreset, type KeyRow } from '../api.ts'
import { graceChoices } from '../catalogue.ts'
import { formatDateTime } from '../format.ts'
import { useInvalidateAccount } from '../queries.ts'
import { SelectField } from './Field.tsx'
import { FormDialogFooter } from './FormDialogFooter.tsx'
import { KeyReveal } from './KeyReveal.tsx'
import { Modal } from './Modal.tsx'

/**
 * Roll key: a new secret for the same key (same id, name, scopes and history), shown once. The previous secret keeps
 * working for the chosen grace period, so that apps can move over without downtime.
 */
export function RollKeyDialog({ apiKey, onClose }: { apiKey: KeyRow; onClose: () => void }) {
  const { account } = useAccount()
  const invalidateAccount = useInvalidateAccount(account.id)
  const [grace, setGrace] = useState<GracePreset>('24h')
  const [rolled, setRolled] = useState<CreatedKey | null>(null)
  const [copied, setCopied] = useState(false)
  const [confirmingDiscard, setConfirmingDiscard] = useState(false)
  const roll = useMutation({
    mutationFn: () => api.rotateKey(apiKey.id, grace),
    onSuccess: (result) => {
      setRolled(result)
      void invalidateAccount()
    },
  })
  const inGrace = apiKey.previousKeyValidUntil !== null && apiKey.previousKeyValidUntil > Date.now()

  /** Escape, × and Done: a new secret never copied is not thrown away without asking (as on Create). */
  function close() {
    if (rolled && !copied) return setConfirmingDiscard(true)
    discard()
  }

  function discard() {
    setRolled(null) // the raw key goes with the dialog
    onClose()
  }

  return (
    <Modal
      open
      onOpenChange={(open) => {
        if (!open) close()
      }}
      title="Roll key"
      description={
        rolled
          ? `“${apiKey.name}” has a new secret.`
          : `Give “${apiKey.name}” a new secret. Its id, name, project, scopes and history stay the same.`
      }
      keepOpenOnOutsideClick={rolled !== null}
    >
      {rolled ? (
        <KeyReveal
          created={rolled}
          onCopied={() => {
            setCopied(true)
            setConfirmingDiscard(false)
          }}
          confirmingDiscard={confirmingDiscard}
          onKeepOpen={() => setConfirmingDiscard(false)}
          onDone={close}
          onDiscard={discard}
        >
          <p className="muted">
            {rolled.key.previousKeyValidUntil !== null && rolled.key.previousKeyValidUntil > Date.now()
              ? `The previous secret keeps working until ${formatDateTime(rolled.key.previousKeyValidUntil)}.`
              : 'The previous secret is refused from now on.'}
          </p>
        </KeyReveal>
      ) : (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault()
            roll.mutate()
          }}
          noValidate
        >
          <SelectField
            label="Previous secret keeps working for"
            value={grace}
            onChange={(value) => setGrace(value as GracePreset)}
            options={graceChoices}
            hint="Time for every app using this key to switch to the new secret."
          />
          {inGrace ? (
            <p className="callout callout-warning">
              This key is already in a grace period: its older secret stops working as soon as you roll it
              again.
            </p>
          ) : null}
          <FormDialogFooter mutation={roll} onCancel={close} submitLabel="Roll key" />
        </form>
      )}
    </Modal>
  )
}
