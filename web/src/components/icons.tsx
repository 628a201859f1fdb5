/** Small stroke icons, decorative only (the controls that hold them carry the text). */

interface IconProps {
  className?: string
}

/** One stroked path on a 16 × 16 grid: every line icon of the dashboard. */
function StrokeIcon({
  d,
  size,
  strokeWidth,
  className,
}: IconProps & { d: string; size: number; strokeWidth: number }) {
  return (
    <svg
      className={className}
      viewBox="0 0 16 16"
      width={size}
      height={size}
      aria-hidden="true"
      focusable="false"
    >
      <path d={d} fill="none" stroke="currentColor" strokeWidth={strokeWidth} strokeLinecap="round" />
    </svg>
  )
}

export const CheckIcon = ({ className }: IconProps) => (
  <StrokeIcon className={className} d="M3 8.5l3.2 3L13 4.5" size={14} strokeWidth={2} />
)

export const MinusIcon = ({ className }: IconProps) => (
  <StrokeIcon className={className} d="M3.5 8h9" size={14} strokeWidth={2} />
)

export const CloseIcon = ({ className }: IconProps) => (
  <StrokeIcon className={className} d="M4 4l8 8M12 4l-8 8" size={16} strokeWidth={1.75} />
)

export const ChevronDownIcon = ({ className }: IconProps) => (
  <StrokeIcon className={className} d="M4 6l4 4 4-4" size={14} strokeWidth={1.75} />
)

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

export const MenuIcon = ({ className }: IconProps) => (
  <StrokeIcon className={className} d="M2.5 4h11M2.5 8h11M2.5 12h11" size={18} strokeWidth={1.6} />
)
