import { useRef } from 'react'

/**
 * Radix gives focus back only to a `Dialog.Trigger`; these dialogs open from state, so the element that had focus
 * when one opened is remembered and focused again when it closes (keyboard users land where they were).
 */
export function useReturnFocus() {
  const opener = useRef<HTMLElement | null>(null)
  return {
    onOpenAutoFocus: () => {
      // Called before focus moves into the dialog: the active element is still the opener.
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null
    },
    onCloseAutoFocus: (event: Event) => {
      const target = opener.current
      if (target?.isConnected) {
        event.preventDefault()
        target.focus()
      }
    },
  }
}
