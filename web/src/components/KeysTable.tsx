import type { KeyRow, KeySort, SortOrder } from '../api.ts'
import { formatDate, formatDateTime, formatExpiresIn, formatTime } from '../format.ts'
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
  /** Bulk selection (managers only): the ids ticked, and how a tick toggles. Omitted: no selection column. */
  selected?: ReadonlySet<string>
  onToggleSelected?: (key: KeyRow) => void
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

/** "Demo Owner" of "Demo Owner (owner@example.com)": the table is narrow; the title keeps the email. */
const shortCreator = (label: string) => label.replace(/ \([^()]*@[^()]*\)$/, '')

/** When, and by whom: two keys named alike are told apart by who made them and when. */
export function CreatedText({ row }: { row: KeyRow }) {
  return (
    <span className="stacked">
      <DateText at={row.createdAt} />{' '}
      <span className="muted creator" title={row.creator}>
        {formatTime(row.createdAt)} by {shortCreator(row.creator)}
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
  selected,
  onToggleSelected,
  onRoll,
  onChangeExpiry,
}: KeysTableProps) {
  const selectable = canManage && selected !== undefined && onToggleSelected !== undefined
  const header = { sort, order, onSort }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">API keys</caption>
        <thead>
          <tr>
            {selectable ? (
              <th scope="col">
                <span className="visually-hidden">Select</span>
              </th>
            ) : null}
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
            <tr key={key.id} className={key.revokedAt !== null ? 'row-muted' : undefined}>
              {selectable ? (
                <td>
                  {key.revokedAt !== null ? null : (
                    <input
                      type="checkbox"
                      aria-label={`Select ${key.name}`}
                      checked={selected.has(key.id)}
                      onChange={() => onToggleSelected(key)}
                    />
                  )}
                </td>
              ) : null}
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
              <td>
                <CreatedText row={key} />
              </td>
              {canManage ? (
                <td className="actions-cell">
                  {key.revokedAt !== null ? null : (
                    <div className="row-actions">
                      {key.status === 'active' ? ( // an expired or revoked key's scopes, secret and expiry change nothing
                        <>
                          <RowActionButton
                            aria-label={`Edit scopes for ${key.name}`}
                            onClick={() => onEditScopes(key)}
                          >
                            Scopes
                          </RowActionButton>
                          <RowActionButton aria-label={`Roll key ${key.name}`} onClick={() => onRoll(key)}>
                            Roll key
                          </RowActionButton>
                          <RowActionButton
                            aria-label={`Change expiry of ${key.name}`}
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
