import { useMemo } from 'react'
import { Link, Navigate, Outlet, useLocation, useParams } from 'react-router'
import { AccountContext } from '../account.ts'
import { type AccountSummary, isUnauthorized, type User } from '../api.ts'
import { signInPath } from '../navigation.ts'
import { useMe } from '../queries.ts'
import { EmptyState, ErrorState, Loading } from './QueryStates.tsx'
import { Sidebar } from './Sidebar.tsx'
import { useScrollRegions } from './useScrollRegions.ts'

function AccountPages({ account, user }: { account: AccountSummary; user: User }) {
  const value = useMemo(() => ({ account, user }), [account, user])
  return (
    <AccountContext.Provider value={value}>
      <Outlet />
    </AccountContext.Provider>
  )
}

/** The signed-in shell of `/a/:accountId/*`: sidebar and the page; without a session, off to sign in. */
export function AccountLayout() {
  const { accountId = '' } = useParams()
  const location = useLocation()
  const me = useMe()
  useScrollRegions()

  if (me.isPending) {
    return (
      <main className="auth-page">
        <Loading />
      </main>
    )
  }
  if (me.isError) {
    if (isUnauthorized(me.error)) return <Navigate to={signInPath(location)} replace />
    return (
      <main className="auth-page">
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      </main>
    )
  }

  const account = me.data.accounts.find((candidate) => candidate.id === accountId)
  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar me={me.data} accountId={accountId} account={account} />
      <main className="content" id="main" tabIndex={-1}>
        {account ? (
          <AccountPages account={account} user={me.data.user} />
        ) : (
          <EmptyState title="Account not found">
            You are not a member of this account. <Link to="/">Go to your accounts</Link>
          </EmptyState>
        )}
      </main>
    </div>
  )
}
