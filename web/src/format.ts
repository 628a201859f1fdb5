const locale = 'en-US'

const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' })
const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })
const preciseFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' })
const millisecondFormat = new Intl.DateTimeFormat(locale, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
})
const timeFormat = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' })
const shortDayTimeFormat = new Intl.DateTimeFormat(locale, {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
})
const shortDayFormat = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' })
const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'always' })
const integer = new Intl.NumberFormat(locale)
const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 })

const second = 1000
const minute = 60 * second
const hour = 60 * minute
const day = 24 * hour

/** "Jan 5, 2026" */
export function formatDate(at: number): string {
  return dateFormat.format(at)
}

/** "3:04 PM" */
export function formatTime(at: number): string {
  return timeFormat.format(at)
}

/** "Jan 5, 2026, 3:04 PM" */
export function formatDateTime(at: number): string {
  return dateTimeFormat.format(at)
}

/** "Jan 5, 2026, 3:04:05 PM" */
export function formatPreciseDateTime(at: number): string {
  return preciseFormat.format(at)
}

/** "Jan 5, 2026, 3:04:05.123 PM" */
export function formatMillisecondDateTime(at: number): string {
  return millisecondFormat.format(at)
}

/** An axis tick: "3:04 PM" within a day, "Jan 5, 3:04 PM" within a week, "Jan 5" beyond. */
export function formatTick(at: number, spanMs: number): string {
  if (spanMs <= day) return timeFormat.format(at)
  if (spanMs <= 7 * day) return shortDayTimeFormat.format(at)
  return shortDayFormat.format(at)
}

/** "3 minutes ago", "in 30 days", "just now". */
export function formatRelative(at: number, now: number = Date.now()): string {
  const delta = at - now
  const size = Math.abs(delta)
  if (size < 45 * second) return 'just now'
  if (size < 45 * minute) return relative.format(Math.round(delta / minute), 'minute')
  if (size < 22 * hour) return relative.format(Math.round(delta / hour), 'hour')
  if (size < 45 * day) return relative.format(Math.round(delta / day), 'day')
  if (size < 320 * day) return relative.format(Math.round(delta / (30 * day)), 'month')
  return relative.format(Math.round(delta / (365 * day)), 'year')
}

/** "in 30 days" for a future instant (hours when under a day), for expirations. */
export function formatExpiresIn(at: number, now: number = Date.now()): string {
  const delta = at - now
  const days = Math.round(delta / day)
  if (days >= 1) return relative.format(days, 'day')
  return relative.format(Math.max(1, Math.round(delta / hour)), 'hour')
}

export function formatCount(n: number): string {
  return integer.format(n)
}

/** `errorRate` is a fraction: 0.125 → "12.5%". */
export function formatPercent(fraction: number): string {
  return percent.format(fraction)
}

export function formatLatency(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`
}
