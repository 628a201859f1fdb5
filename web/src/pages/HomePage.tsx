import { useQuery } from '@tanstack/react-query'
import { useId } from 'react'
import { Link, useNavigate } from 'react-router'
import { useAccount } from '../account.ts'
import { api } from '../api.ts'
import { planLabels, roleLabels } from '../catalogue.ts'
import { ActivityTable } from '../components/ActivityTable.tsx'
import { KeyNoticesBanner } from '../components/KeyNoticesBanner.tsx'
import { PageHeader } from '../components/PageHeader.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { formatCount } from '../format.ts'
import { queryKeys } from '../queryKeys.ts'

/** The account at a glance: plan, rate limit, projects, keys and the latest keyed requests. */
export function HomePage() {
  const { account } = useAccount()
  const activityHeading = useId()
  const navigate = useNavigate()
  const overview = useQuery({
    queryKey: queryKeys.overview(account.id),
    queryFn: () => api.overview(account.id),
  })

  return (
    <>
      <PageHeader title="Home" description={`${account.name} · you are ${roleLabels[account.role]}`} />
      <KeyNoticesBanner accountId={account.id} linkToKeys />
      {overview.isPending ? (
        <Loading />
      ) : overview.isError ? (
        <ErrorState error={overview.error} onRetry={() => void overview.refetch()} />
      ) : (
        <>
          <dl className="stats">
            <div className="stat">
              <dt>Plan</dt>
              <dd>{planLabels[overview.data.account.plan] ?? overview.data.account.plan}</dd>
            </div>
            <div className="stat">
              <dt>Rate limit</dt>
              <dd className="stat-small">
                {formatCount(overview.data.account.rateLimitPerMinute)} requests per minute per key
              </dd>
            </div>
            <div className="stat">
              <dt>Projects</dt>
              <dd>
                <Link to={`/a/${account.id}/projects`}>{formatCount(overview.data.projectCount)}</Link>
              </dd>
            </div>
            <div className="stat">
              <dt>Active keys</dt>
              <dd>
                <Link to={`/a/${account.id}/keys`}>{formatCount(overview.data.activeKeyCount)}</Link>
                <span className="stat-note"> of {formatCount(overview.data.keyCount)}</span>
              </dd>
            </div>
          </dl>
          <section className="section" aria-labelledby={activityHeading}>
            <div className="section-header">
              <h2 id={activityHeading} className="section-title">
                Recent activity
              </h2>
              <Link to={`/a/${account.id}/activity`}>View all activity</Link>
            </div>
            {overview.data.recentActivity.length === 0 ? (
              <EmptyState title="No requests yet">
                Requests made with this account's API keys show up here.
              </EmptyState>
            ) : (
              <ActivityTable
                rows={overview.data.recentActivity}
                caption="Recent activity"
                onOpen={(row) => navigate(`/a/${account.id}/activity?request=${encodeURIComponent(row.id)}`)}
              />
            )}
          </section>
        </>
      )}
    </>
  )
}
