/** Small stroke icons, decorative only (the controls that hold them carry the text). */

interface IconProps {
  className?: string
}

export function CheckIcon({ className }: IconProps) {
  return (
    <svg
      className={className}
      viewBox="0 0 16 16"
      width="14"
      height="14"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M3 8.5l3.2 3L13 4.5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  )
}

export function MinusIcon({ className }: IconProps) {
  return (
    <svg
      className={className}
      viewBox="0 0 16 16"
      width="14"
      height="14"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M3.5 8h9" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  )
}

export function CloseIcon({ className }: IconProps) {
  return (
    <svg
      className={className}
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden="true"
      focusable="false"
    >
      <path
        d="M4 4l8 8M12 4l-8 8"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.75"
        strokeLinecap="round"
      />
    </svg>
  )
}

export function ChevronDownIcon({ className }: IconProps) {
  return (
    <svg
      className={className}
      viewBox="0 0 16 16"
      width="14"
      height="14"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M4 6l4 4 4-4" fill="none" stroke="currentColor" strokeWidth="1.75" strokeLinecap="round" />
    </svg>
  )
}

export function KeywardLogo({ className }: IconProps) {
  return (
    <svg
      className={className}
      viewBox="0 0 24 24"
      width="22"
      height="22"
      aria-hidden="true"
      focusable="false"
    >
      <rect x="1" y="1" width="22" height="22" rx="6" fill="currentColor" />
      <circle cx="9" cy="12" r="3.2" fill="none" stroke="#fff" strokeWidth="2" />
      <path d="M12 12h7M17 12v3M19 12v2" fill="none" stroke="#fff" strokeWidth="2" strokeLinecap="round" />
    </svg>
  )
}

/** Both triangles for an unsorted column; one, in the accent colour, for the sorted one. */
export function SortIcon({ direction, className }: IconProps & { direction: 'asc' | 'desc' | null }) {
  return (
    <svg className={className} viewBox="0 0 10 14" width="8" height="12" aria-hidden="true" focusable="false">
      {direction !== 'desc' ? <path d="M5 1l4 5H1z" fill="currentColor" /> : null}
      {direction !== 'asc' ? <path d="M5 13l4-5H1z" fill="currentColor" /> : null}
    </svg>
  )
}
