import { useEffect } from 'react'

let openDialogs = 0

/**
 * While a modal dialog is open, the app behind it (`#root`; dialogs render in a portal outside it) is `inert`:
 * Radix hides it from assistive technology with aria-hidden, but its controls stay focusable, which axe reports
 * (aria-hidden-focus) and which lets a screen reader's virtual cursor land on hidden buttons.
 */
export function useInertBackground(open: boolean) {
  useEffect(() => {
    if (!open) return
    const root = document.getElementById('root')
    openDialogs += 1
    root?.setAttribute('inert', '')
    return () => {
      openDialogs -= 1
      if (openDialogs === 0) root?.removeAttribute('inert')
    }
  }, [open])
}
