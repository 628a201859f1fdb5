import { useRef } from 'react'

const focusable =
  'button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), [tabindex="0"]'

/** Where focus goes when the opener is gone (a Revoke button leaves with its row's actions): its row, else the page. */
function fallbackFor(row: HTMLElement | null): HTMLElement | null {
  const inRow = row?.isConnected ? row.querySelector<HTMLElement>(focusable) : null
  return inRow ?? document.getElementById('main')
}

/**
 * Radix gives focus back only to a `Dialog.Trigger`; these dialogs open from state, so the element that had focus
 * when one opened is remembered and focused again when it closes (keyboard users land where they were). When that
 * element left the page meanwhile, focus goes to the first control of its table row, or to the page's main region,
 * never to `<body>`.
 */
export function useReturnFocus() {
  const opener = useRef<HTMLElement | null>(null)
  const row = useRef<HTMLElement | null>(null)
  return {
    onOpenAutoFocus: () => {
      // Called before focus moves into the dialog: the active element is still the opener.
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null
      row.current = opener.current?.closest('tr') ?? null
    },
    onCloseAutoFocus: (event: Event) => {
      const target = opener.current?.isConnected ? opener.current : fallbackFor(row.current)
      if (target) {
        event.preventDefault()
        target.focus()
      }
    },
  }
}
