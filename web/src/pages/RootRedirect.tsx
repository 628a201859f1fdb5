import { Navigate } from 'react-router'
import { isUnauthorized } from '../api.ts'
import { AuthCard } from '../components/AuthCard.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { SignOutButton } from '../components/SignOutButton.tsx'
import { useMe } from '../queries.ts'

/** `/`: the first account's home, or the sign-in page without a session. */
export function RootRedirect() {
  const me = useMe()
  if (me.isPending) {
    return (
      <main className="auth-page">
        <Loading />
      </main>
    )
  }
  if (me.isError) {
    if (isUnauthorized(me.error)) return <Navigate to="/sign-in" replace />
    return (
      <AuthCard title="Keyward">
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      </AuthCard>
    )
  }
  const first = me.data.accounts[0]
  if (first) return <Navigate to={`/a/${first.id}/home`} replace />
  return (
    <AuthCard title="No accounts">
      <EmptyState title="You are not a member of any account">
        Ask an Owner for an invitation link, or sign in with another email.
      </EmptyState>
      <SignOutButton className="button block" />
    </AuthCard>
  )
}
