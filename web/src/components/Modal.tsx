import { Dialog } from 'radix-ui'
import type { ReactNode } from 'react'
import { CloseIcon } from './icons.tsx'
import { useInertBackground } from './useInertBackground.ts'
import { useReturnFocus } from './useReturnFocus.ts'

interface ModalProps {
  open: boolean
  onOpenChange: (open: boolean) => void
  title: ReactNode
  description?: ReactNode
  /** `drawer` slides in from the right edge (details panes); `dialog` is centred. */
  variant?: 'dialog' | 'drawer'
  /** Keep the dialog open on a click outside (while it shows something that cannot be shown again). */
  keepOpenOnOutsideClick?: boolean
  children: ReactNode
}

/**
 * A labelled modal dialog: focus is trapped inside, Escape closes it, and the page behind is hidden from
 * assistive technology. The backdrop is a plain element rather than `Dialog.Overlay`, whose scroll lock injects a
 * `<style>` tag that the server's Content-Security-Policy (`style-src 'self'`) refuses; the stylesheet locks the
 * page scroll instead (`body:has(.backdrop)`).
 */
export function Modal({
  open,
  onOpenChange,
  title,
  description,
  variant = 'dialog',
  keepOpenOnOutsideClick = false,
  children,
}: ModalProps) {
  const returnFocus = useReturnFocus()
  useInertBackground(open)
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <div className="backdrop" />
        <Dialog.Content
          {...returnFocus}
          className={variant === 'drawer' ? 'dialog drawer' : 'dialog'}
          onPointerDownOutside={(event) => {
            if (keepOpenOnOutsideClick) event.preventDefault()
          }}
          {...(description ? {} : { 'aria-describedby': undefined })}
        >
          <Dialog.Title className="dialog-title">{title}</Dialog.Title>
          {description ? (
            <Dialog.Description className="dialog-description">{description}</Dialog.Description>
          ) : null}
          <div className="dialog-body">{children}</div>
          <Dialog.Close className="icon-button dialog-close" aria-label="Close">
            <CloseIcon />
          </Dialog.Close>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}
