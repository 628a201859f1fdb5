import { reasonLabels } from '../activityCatalogue.ts'
import { type ActivityGrant, type ActivityRow, grantOf } from '../api.ts'
import { formatLatency, formatPreciseDateTime } from '../format.ts'
import { Badge } from './Badge.tsx'
import { DateText } from './Time.tsx'

function statusTone(status: number) {
  if (status >= 500) return 'danger'
  if (status === 429) return 'info'
  if (status >= 400) return 'warning'
  return 'success'
}

interface ActivityTableProps {
  rows: ActivityRow[]
  caption: string
  /** Opens a row's details; without it the rows do not open. */
  onOpen?: (row: ActivityRow) => void
}

/** Why a request failed: the reason it was refused, else the error code (not found, bad request, …). */
function Outcome({ row }: { row: ActivityRow }) {
  if (row.reason) {
    const reason = reasonLabels[row.reason]
    return (
      <span className="reason-text" title={reason.description}>
        {reason.label}
      </span>
    )
  }
  return row.errorCode ? <code className="text-danger">{row.errorCode}</code> : null
}

/** A request made with an OAuth grant: the app and the member it acts for, where a key's name would be. */
export function GrantText({ grant }: { grant: ActivityGrant }) {
  return (
    <span className="grant-text">
      via <strong>{grant.clientName}</strong> ·{' '}
      {grant.userEmail ?? <span className="muted">deleted user</span>}
    </span>
  )
}

/** Who made the request: the key (name and prefix), or the connected app and its member. */
function Credential({ row }: { row: ActivityRow }) {
  const grant = grantOf(row)
  if (grant) return <GrantText grant={grant} />
  return (
    <>
      {row.keyName ?? <span className="muted">Unknown key</span>}
      {row.keyPrefix ? (
        <>
          {' '}
          <code className="prefix">{row.keyPrefix}</code>
        </>
      ) : null}
    </>
  )
}

/** Keyed requests, newest first: when, project, key, method, endpoint, status, scope, latency and why it failed. */
export function ActivityTable({ rows, caption, onOpen }: ActivityTableProps) {
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Project</th>
            <th scope="col">Key</th>
            <th scope="col">Method</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Status</th>
            <th scope="col">Scope</th>
            <th scope="col" className="numeric">
              Latency
            </th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td className="nowrap">
                {onOpen ? (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => onOpen(row)}
                    aria-label={`Open request of ${formatPreciseDateTime(row.at)}: ${row.method} ${row.route ?? row.path}, ${row.status}`}
                  >
                    <DateText at={row.at} withTime />
                  </button>
                ) : (
                  <DateText at={row.at} withTime />
                )}
              </td>
              <td>{row.projectName ?? <span className="muted">—</span>}</td>
              <td>
                <Credential row={row} />
              </td>
              <td>
                <code className="method">{row.method}</code>
              </td>
              <td className="endpoint-cell">
                <code title={row.path}>{row.route ?? row.path}</code>
              </td>
              <td className="nowrap">
                <span className={`status-code status-${statusTone(row.status)}`}>{row.status}</span>
                {row.rateLimited ? (
                  <>
                    {' '}
                    <Badge tone="info">rate limited</Badge>
                  </>
                ) : null}
              </td>
              <td>{row.scope ? <code>{row.scope}</code> : <span className="muted">—</span>}</td>
              <td className="numeric nowrap">{formatLatency(row.latencyMs)}</td>
              <td>
                <Outcome row={row} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
