import type { KeyRow, KeySort, SortOrder } from '../api.ts'
import { formatDate, formatDateTime, formatExpiresIn } from '../format.ts'
import { KeyStatusBadge } from './Badge.tsx'
import { SortableHeader } from './SortableHeader.tsx'
import { ActionsHeader, RowActionButton } from './TableActions.tsx'
import { DateText, RelativeTime } from './Time.tsx'

interface KeysTableProps {
  keys: KeyRow[]
  sort: KeySort
  order: SortOrder
  onSort: (sort: KeySort) => void
  canManage: boolean
  onOpen: (key: KeyRow) => void
  onEditScopes: (key: KeyRow) => void
  onRevoke: (key: KeyRow) => void
  onRoll: (key: KeyRow) => void
  onChangeExpiry: (key: KeyRow) => void
}

export function ScopesText({ scopes }: { scopes: readonly string[] | null }) {
  if (scopes === null) return <span className="scopes-full">Full access</span>
  return (
    <span className="scopes-list" title={`${scopes.length} ${scopes.length === 1 ? 'scope' : 'scopes'}`}>
      {scopes.join(', ')}
    </span>
  )
}

export function ExpirationText({ row }: { row: KeyRow }) {
  if (row.expiresAt === null) return <span className="muted">Never</span>
  const past = row.status === 'expired' || row.expiresAt <= Date.now()
  return (
    <span className="stacked">
      <time dateTime={new Date(row.expiresAt).toISOString()}>{formatDate(row.expiresAt)}</time>{' '}
      <span className={past ? 'muted text-warning' : 'muted'}>
        {past ? 'Expired' : formatExpiresIn(row.expiresAt)}
      </span>
    </span>
  )
}

/** During a rotation grace period: until when the previous secret works, and whether apps still send it. */
export function GraceText({ row }: { row: KeyRow }) {
  const until = row.previousKeyValidUntil
  if (row.status !== 'active' || until === null || until <= Date.now()) return null
  return (
    <span className="stacked muted">
      <span>
        Previous secret until <time dateTime={new Date(until).toISOString()}>{formatDateTime(until)}</time>
      </span>
      {row.previousSecretLastUsedAt ? (
        <span className="text-warning">
          Still used with the previous secret (<RelativeTime at={row.previousSecretLastUsedAt} />)
        </span>
      ) : null}
    </span>
  )
}

export function LastUsedText({ at }: { at: number | null }) {
  return at === null ? <span className="muted">Never</span> : <RelativeTime at={at} />
}

/** Every key of the account on this page of results; the row actions only for members with settings.manage. */
export function KeysTable({
  keys,
  sort,
  order,
  onSort,
  canManage,
  onOpen,
  onEditScopes,
  onRevoke,
  onRoll,
  onChangeExpiry,
}: KeysTableProps) {
  const header = { sort, order, onSort }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">API keys</caption>
        <thead>
          <tr>
            <SortableHeader field="name" label="Name" {...header} />
            <th scope="col">Key prefix</th>
            <SortableHeader field="project" label="Project" {...header} />
            <SortableHeader field="status" label="Status" {...header} />
            <th scope="col">Scopes</th>
            <SortableHeader field="expires" label="Expiration" {...header} />
            <SortableHeader field="lastUsed" label="Last used" {...header} />
            <SortableHeader field="created" label="Created" {...header} />
            {canManage ? <ActionsHeader /> : null}
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} className={key.status === 'revoked' ? 'row-muted' : undefined}>
              <td className="name-cell">
                <button type="button" className="link-button strong" onClick={() => onOpen(key)}>
                  {key.name}
                </button>
              </td>
              <td>
                <code className="prefix">{key.prefix}</code>
              </td>
              <td>{key.projectName}</td>
              <td>
                <KeyStatusBadge status={key.status} />
                <GraceText row={key} />
              </td>
              <td className="scopes-cell">
                <ScopesText scopes={key.scopes} />
              </td>
              <td className="nowrap">
                <ExpirationText row={key} />
              </td>
              <td className="nowrap">
                <LastUsedText at={key.lastUsedAt} />
              </td>
              <td className="nowrap">
                <DateText at={key.createdAt} />
              </td>
              {canManage ? (
                <td className="actions-cell">
                  {key.status === 'revoked' ? null : (
                    <div className="row-actions">
                      <RowActionButton
                        aria-label={`Edit scopes for ${key.name}`}
                        onClick={() => onEditScopes(key)}
                      >
                        Scopes
                      </RowActionButton>
                      {key.status === 'active' ? (
                        <>
                          <RowActionButton aria-label={`Roll key ${key.name}`} onClick={() => onRoll(key)}>
                            Roll key
                          </RowActionButton>
                          <RowActionButton
                            aria-label={`Change expiration of ${key.name}`}
                            onClick={() => onChangeExpiry(key)}
                          >
                            Expiry
                          </RowActionButton>
                        </>
                      ) : null}
                      <RowActionButton danger aria-label={`Revoke ${key.name}`} onClick={() => onRevoke(key)}>
                        Revoke
                      </RowActionButton>
                    </div>
                  )}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
