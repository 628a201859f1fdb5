import { useQuery } from '@tanstack/react-query'
import { Link, Navigate, useLocation, useParams } from 'react-router'
import { ApiError, api, isUnauthorized } from '../api.ts'
import { AuthCard } from '../components/AuthCard.tsx'
import { ConsentForm } from '../components/ConsentForm.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { signInPath } from '../navigation.ts'
import { queryKeys } from '../queryKeys.ts'

const title = 'Connect an app'

/**
 * `/oauth/consent/:uid`, where the authorization server sends the browser of a user whose MCP client asked for
 * access: after signing in (and coming back here), the user picks the team, the project and the scopes, exactly as
 * when creating a key, and Allow or Deny returns the browser to the app.
 */
export function ConsentPage() {
  const { uid = '' } = useParams()
  const location = useLocation()
  const interaction = useQuery({
    queryKey: queryKeys.oauthInteraction(uid),
    queryFn: () => api.oauthInteraction(uid),
    // An authorization request is answered once; refetching it on focus would only race the answer.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  })

  if (interaction.isPending) {
    return (
      <AuthCard title={title}>
        <Loading />
      </AuthCard>
    )
  }
  if (interaction.isError) {
    if (isUnauthorized(interaction.error)) return <Navigate to={signInPath(location)} replace />
    const gone = interaction.error instanceof ApiError && interaction.error.status === 404
    return (
      <AuthCard title={title}>
        {gone ? (
          <p className="callout callout-warning" role="alert">
            This authorization request is unknown or has expired (they last a few minutes, and each is
            answered once). Go back to the app and connect again.
          </p>
        ) : (
          <ErrorState error={interaction.error} onRetry={() => void interaction.refetch()} />
        )}
        <p>
          <Link to="/">Go to your dashboard</Link>
        </p>
      </AuthCard>
    )
  }
  if (interaction.data.accounts.length === 0) {
    return (
      <AuthCard title={title}>
        <EmptyState title="You are not a member of any team">
          An app connects to one project of a team. Ask an Owner for an invitation, or sign in with another
          email.
        </EmptyState>
      </AuthCard>
    )
  }
  return (
    <AuthCard title={`Connect ${interaction.data.client.name}`} wide>
      <ConsentForm interaction={interaction.data} />
    </AuthCard>
  )
}
