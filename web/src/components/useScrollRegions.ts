import { useEffect } from 'react'

const selector = '.table-wrap'

/** Named by its table's caption (most tables have a visually hidden one), so a screen reader says what scrolls. */
function labelOf(wrap: HTMLElement): string {
  const caption = wrap.querySelector('caption')?.textContent?.trim()
  return caption ? `${caption} (scrolls sideways)` : 'Table (scrolls sideways)'
}

/** A box that scrolls sideways gets a tab stop and a name; one that fits loses them again. */
function mark(wrap: HTMLElement) {
  const scrolls = wrap.scrollWidth > wrap.clientWidth + 1 || wrap.scrollHeight > wrap.clientHeight + 1
  if (scrolls && wrap.tabIndex !== 0) {
    wrap.tabIndex = 0
    wrap.setAttribute('role', 'region')
    wrap.setAttribute('aria-label', labelOf(wrap))
  } else if (!scrolls && wrap.hasAttribute('tabindex')) {
    wrap.removeAttribute('tabindex')
    wrap.removeAttribute('role')
    wrap.removeAttribute('aria-label')
  }
}

/**
 * Keyboard users must be able to scroll a table that is wider than its box (WCAG 2.1.1; axe's
 * scrollable-region-focusable): on a phone that is most tables, on a laptop some (Activity, the key drawer). Rather
 * than each table measuring itself, one observer watches every `.table-wrap` of the page and of its dialogs
 * (portals, so the whole body is watched) and marks those that scroll.
 */
export function useScrollRegions() {
  useEffect(() => {
    const sized = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const wrap = (entry.target as HTMLElement).closest<HTMLElement>(selector)
        if (wrap) mark(wrap)
      }
    })
    const watched = new WeakSet<Element>()
    const scan = () => {
      for (const wrap of document.querySelectorAll<HTMLElement>(selector)) {
        if (!watched.has(wrap)) {
          watched.add(wrap)
          sized.observe(wrap)
          const table = wrap.querySelector('table')
          if (table) sized.observe(table)
        }
        mark(wrap)
      }
    }
    // Rows arrive after the box (a query resolves): the table's own resize tells that it outgrew its box.
    const added = new MutationObserver(scan)
    added.observe(document.body, { childList: true, subtree: true })
    scan()
    return () => {
      added.disconnect()
      sized.disconnect()
    }
  }, [])
}
