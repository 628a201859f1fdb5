import type { KeyUsage } from '../api.ts'
import { formatCount, formatPercent } from '../format.ts'
import { Badge, KeyStatusBadge } from './Badge.tsx'
import { LastUsedText } from './KeysTable.tsx'

/** Requests and errors per key over the last 30 days; keys unused for 30 days are flagged as revoke candidates. */
export function KeyUsageTable({ usage }: { usage: KeyUsage[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Per-key usage over the last 30 days</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Project</th>
            <th scope="col" className="numeric">
              Requests
            </th>
            <th scope="col" className="numeric">
              Error rate
            </th>
            <th scope="col">Last used</th>
          </tr>
        </thead>
        <tbody>
          {usage.map((row) => (
            <tr key={row.keyId}>
              <td>
                <span className="strong">{row.keyName}</span> <code className="prefix">{row.prefix}</code>
                {row.status === 'active' ? null : (
                  <>
                    {' '}
                    <KeyStatusBadge status={row.status} />
                  </>
                )}
                {row.unusedFor30Days ? (
                  <>
                    {' '}
                    <Badge tone="warning">Revoke candidate</Badge>
                  </>
                ) : null}
              </td>
              <td>{row.projectName}</td>
              <td className="numeric">{formatCount(row.requests)}</td>
              <td className="numeric">
                {row.requests === 0 ? '—' : formatPercent(row.errors / row.requests)}
              </td>
              <td className="nowrap">
                <LastUsedText at={row.lastUsedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
