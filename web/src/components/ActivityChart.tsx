import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { ActivityBucket } from '../api.ts'
import { formatCount, formatDateTime, formatTick } from '../format.ts'

const classes = [
  { key: '2xx', label: '2xx', color: '#16a34a' },
  { key: '4xx', label: '4xx', color: '#d97706' },
  { key: '429', label: '429 rate limited', color: '#7c3aed' },
  { key: '5xx', label: '5xx', color: '#dc2626' },
] as const

/** Requests per time bucket, stacked by status class; a text summary stands in for the bars for screen readers. */
export function ActivityChart({ buckets, spanMs }: { buckets: ActivityBucket[]; spanMs: number }) {
  const totals = classes.map((item) => ({
    ...item,
    total: buckets.reduce((sum, bucket) => sum + (bucket[item.key] ?? 0), 0),
  }))
  const total = totals.reduce((sum, item) => sum + item.total, 0)
  const summary =
    total === 0
      ? 'Nothing to chart: no requests in this period.'
      : `${formatCount(total)} requests: ${totals.map((item) => `${formatCount(item.total)} ${item.label}`).join(', ')}.`

  return (
    <figure className="chart">
      <figcaption className="chart-caption">Requests over time</figcaption>
      <p className="chart-summary">{summary}</p>
      <div className="chart-area" aria-hidden="true">
        <ResponsiveContainer width="100%" height={240}>
          <BarChart
            data={buckets}
            margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
            accessibilityLayer={false}
          >
            <CartesianGrid vertical={false} stroke="#e5e7eb" />
            <XAxis
              dataKey="start"
              tickFormatter={(value: number) => formatTick(value, spanMs)}
              minTickGap={32}
              tick={{ fontSize: 12, fill: '#6b7280' }}
              tickLine={false}
              axisLine={{ stroke: '#d1d5db' }}
            />
            <YAxis
              allowDecimals={false}
              width={44}
              tick={{ fontSize: 12, fill: '#6b7280' }}
              tickLine={false}
              axisLine={false}
            />
            <Tooltip
              labelFormatter={(value) => (typeof value === 'number' ? formatDateTime(value) : String(value))}
              cursor={{ fill: 'rgba(99, 102, 241, 0.08)' }}
            />
            <Legend iconType="square" iconSize={10} wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            {classes.map((item) => (
              <Bar
                key={item.key}
                dataKey={item.key}
                name={item.label}
                stackId="status"
                fill={item.color}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  )
}
