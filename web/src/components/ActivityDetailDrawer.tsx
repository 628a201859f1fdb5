import { useQuery } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { useAccount } from '../account.ts'
import { reasonLabels } from '../activityCatalogue.ts'
import { type ActivityDetail, api, grantOf } from '../api.ts'
import { formatLatency, formatMillisecondDateTime } from '../format.ts'
import { useProjects } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'
import { GrantText } from './ActivityTable.tsx'
import { Modal } from './Modal.tsx'
import { ErrorState, Loading } from './QueryStates.tsx'

/** One request of Agent Activity, with everything recorded about it: why it was refused, who sent it, from where. */
export function ActivityDetailDrawer({ activityId, onClose }: { activityId: string; onClose: () => void }) {
  const { account } = useAccount()
  const detail = useQuery({
    queryKey: queryKeys.activityDetail(account.id, activityId),
    queryFn: () => api.activityDetail(account.id, activityId),
    staleTime: Number.POSITIVE_INFINITY, // a request, once recorded, never changes
  })
  return (
    <Modal
      open
      onOpenChange={(open) => {
        if (!open) onClose()
      }}
      variant="drawer"
      title="Request details"
      description={detail.data ? `${detail.data.method} ${detail.data.route ?? detail.data.path}` : undefined}
    >
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
      ) : (
        <DetailList row={detail.data} />
      )}
    </Modal>
  )
}

function DetailList({ row }: { row: ActivityDetail }) {
  const { account } = useAccount()
  const projects = useProjects(account.id)
  const asked = row.requestedProjectId
  const askedName = asked && projects.data?.data.find((project) => project.id === asked)?.name
  const reason = row.reason ? reasonLabels[row.reason] : null
  const mcp = row.method === 'MCP'
  const grant = grantOf(row)
  return (
    <dl className="details-list">
      <Item label="Time">
        <TimeWithMs at={row.at} />
      </Item>
      <Item label="Request ID">{row.requestId ? <code>{row.requestId}</code> : <Muted />}</Item>
      <Item label="Method">
        <code>{row.method}</code>
      </Item>
      <Item label={mcp ? 'Tool' : 'Route'}>
        {row.route ? <code>{row.route}</code> : <Muted text="No route matched" />}
      </Item>
      {mcp ? <Item label="JSON-RPC id">{row.rpcId ? <code>{row.rpcId}</code> : <Muted />}</Item> : null}
      <Item label="Path">
        <code>{row.path}</code>
      </Item>
      <Item label="Status">{row.errorCode ? `${row.status} (${row.errorCode})` : String(row.status)}</Item>
      <Item label="Reason">
        {reason ? (
          <span>
            <strong className="reason-text">{reason.label}</strong>{' '}
            <span className="muted">{reason.description}</span>
          </span>
        ) : (
          <Muted text="Not refused" />
        )}
      </Item>
      {asked ? (
        <Item label="Asked for project">
          {askedName ?? 'A project outside this account'} <code>{asked}</code>
        </Item>
      ) : null}
      <Item label="Scope">{row.scope ? <code>{row.scope}</code> : <Muted />}</Item>
      <Item label="Latency">{formatLatency(row.latencyMs)}</Item>
      <Item label="Project">{row.projectName ?? <Muted />}</Item>
      {grant ? (
        <Item label="Connected app">
          <GrantText grant={grant} /> <code className="muted">{grant.id}</code>
        </Item>
      ) : (
        <Item label="Key">
          {row.keyName ? (
            <>
              {row.keyName} {row.keyPrefix ? <code className="prefix">{row.keyPrefix}</code> : null}
            </>
          ) : (
            <Muted />
          )}
        </Item>
      )}
      <Item label="Client IP">{row.clientIp ? <code>{row.clientIp}</code> : <Muted />}</Item>
      <Item label="User agent">{row.userAgent ?? <Muted />}</Item>
    </dl>
  )
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="details-item">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  )
}

function Muted({ text = '—' }: { text?: string }) {
  return <span className="muted">{text}</span>
}

/** "Jan 5, 2026, 3:04:05.123 PM", and the UTC instant to the millisecond for copying. */
function TimeWithMs({ at }: { at: number }) {
  const iso = new Date(at).toISOString()
  return (
    <span>
      <time dateTime={iso}>{formatMillisecondDateTime(at)}</time> <code className="muted">{iso}</code>
    </span>
  )
}
