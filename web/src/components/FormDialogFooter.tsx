import { FormError } from './QueryStates.tsx'

interface FormDialogFooterProps {
  mutation: { error: unknown; isPending: boolean }
  onCancel: () => void
  submitLabel: string
}

/** The end of a dialog's form: the request's error, Cancel, and the submit button (busy while the request runs). */
export function FormDialogFooter({ mutation, onCancel, submitLabel }: FormDialogFooterProps) {
  return (
    <>
      <FormError error={mutation.error} />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="button primary"
          disabled={mutation.isPending}
          aria-busy={mutation.isPending}
        >
          {submitLabel}
        </button>
      </div>
    </>
  )
}
