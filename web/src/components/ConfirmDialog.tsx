import { AlertDialog } from 'radix-ui'
import type { ReactNode } from 'react'
import { FormError } from './QueryStates.tsx'
import { useInertBackground } from './useInertBackground.ts'
import { useReturnFocus } from './useReturnFocus.ts'

interface ConfirmDialogProps {
  open: boolean
  onOpenChange: (open: boolean) => void
  title: string
  description: ReactNode
  confirmLabel: string
  onConfirm: () => void
  pending?: boolean
  error?: unknown
  tone?: 'danger' | 'primary'
}

/**
 * A confirmation (Radix AlertDialog: focus starts on Cancel, a click outside does not dismiss). The confirm button
 * is a plain button rather than `AlertDialog.Action`, so that the dialog stays open while the request runs and can
 * show its error; the caller closes it on success. No `AlertDialog.Overlay`, for the reason given in Modal.
 */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  onConfirm,
  pending = false,
  error,
  tone = 'danger',
}: ConfirmDialogProps) {
  const returnFocus = useReturnFocus()
  useInertBackground(open)
  return (
    <AlertDialog.Root open={open} onOpenChange={onOpenChange}>
      <AlertDialog.Portal>
        <div className="backdrop" />
        <AlertDialog.Content {...returnFocus} className="dialog dialog-small">
          <AlertDialog.Title className="dialog-title">{title}</AlertDialog.Title>
          <AlertDialog.Description className="dialog-description">{description}</AlertDialog.Description>
          <FormError error={error} />
          <div className="dialog-actions">
            <AlertDialog.Cancel className="button">Cancel</AlertDialog.Cancel>
            <button
              type="button"
              className={tone === 'danger' ? 'button danger' : 'button primary'}
              onClick={onConfirm}
              disabled={pending}
              aria-busy={pending}
            >
              {confirmLabel}
            </button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  )
}
