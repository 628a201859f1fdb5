import { formatDate, formatDateTime, formatPreciseDateTime, formatRelative } from '../format.ts'

/** "3 minutes ago", with the exact instant in the title and `datetime`. */
export function RelativeTime({ at }: { at: number }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={formatPreciseDateTime(at)}>
      {formatRelative(at)}
    </time>
  )
}

/** "Jan 5, 2026" (or with the time of day when `withTime`). */
export function DateText({ at, withTime = false }: { at: number; withTime?: boolean }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={formatPreciseDateTime(at)}>
      {withTime ? formatDateTime(at) : formatDate(at)}
    </time>
  )
}
