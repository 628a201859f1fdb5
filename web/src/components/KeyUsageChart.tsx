import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { KeyUsageDetails } from '../api.ts'
import { formatCount } from '../format.ts'

/** Days are UTC dates, so they are labelled in UTC: a local time zone would shift them by one. */
const dayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })
const formatDay = (day: string) => dayFormat.format(Date.parse(`${day}T00:00:00Z`))

/** A key's requests per day, errors stacked on the rest; a text summary stands in for the bars for screen readers. */
export function KeyUsageChart({ days }: { days: KeyUsageDetails['days'] }) {
  const data = days.map((d) => ({ day: d.day, succeeded: d.requests - d.errors, errors: d.errors }))
  const busiest = days.reduce<(typeof days)[0] | undefined>(
    (best, d) => (d.requests > (best?.requests ?? 0) ? d : best),
    undefined,
  )
  const summary = !busiest
    ? 'No requests in these 30 days.'
    : `Busiest day: ${formatDay(busiest.day)}, ${formatCount(busiest.requests)} requests.`

  return (
    <figure className="chart">
      <figcaption className="chart-caption">Requests per day</figcaption>
      <p className="chart-summary">{summary}</p>
      <div className="chart-area chart-area-small" aria-hidden="true">
        <ResponsiveContainer width="100%" height={180}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid vertical={false} stroke="#e5e7eb" />
            <XAxis
              dataKey="day"
              tickFormatter={formatDay}
              minTickGap={24}
              tick={{ fontSize: 12, fill: '#6b7280' }}
              tickLine={false}
              axisLine={{ stroke: '#d1d5db' }}
            />
            <YAxis
              allowDecimals={false}
              width={40}
              tick={{ fontSize: 12, fill: '#6b7280' }}
              tickLine={false}
              axisLine={false}
            />
            <Tooltip
              labelFormatter={(value) => formatDay(String(value))}
              cursor={{ fill: 'rgba(99, 102, 241, 0.08)' }}
            />
            <Legend iconType="square" iconSize={10} wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            <Bar
              dataKey="succeeded"
              name="Succeeded"
              stackId="day"
              fill="#16a34a"
              isAnimationActive={false}
            />
            <Bar dataKey="errors" name="Errors" stackId="day" fill="#dc2626" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  )
}
