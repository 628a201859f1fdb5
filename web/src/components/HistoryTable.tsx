import type { HistoryEvent } from '../api.ts'
import { actionLabel } from '../catalogue.ts'
import { describeDetails, describeTarget } from '../history.ts'
import { Badge } from './Badge.tsx'
import { DateText } from './Time.tsx'

interface HistoryTableProps {
  events: HistoryEvent[]
  /** Names of keys, projects, members and webhooks by id, for the Target column and details. */
  names?: ReadonlyMap<string, string>
  showTarget?: boolean
  caption?: string
}

/** Management history, newest first: when, who, what, on what. */
const actorBadges = { user: 'User', key: 'API key', operator: 'Operator', system: 'Automatic' }

export function HistoryTable({ events, names = new Map(), showTarget = true, caption }: HistoryTableProps) {
  return (
    <div className="table-wrap">
      <table className="table">
        {caption ? <caption className="visually-hidden">{caption}</caption> : null}
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            {showTarget ? <th scope="col">Target</th> : null}
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id}>
              <td className="nowrap">
                <DateText at={event.at} withTime />
              </td>
              <td className="nowrap">
                {event.actor.label}
                {event.actor.kind === 'user' ? null : (
                  <>
                    {' '}
                    <Badge tone="neutral">{actorBadges[event.actor.kind]}</Badge>
                  </>
                )}
              </td>
              <td className="nowrap">{actionLabel(event.action)}</td>
              {showTarget ? <td>{describeTarget(event, names)}</td> : null}
              <td className="details-cell">{describeDetails(event, names)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
