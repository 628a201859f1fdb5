import { Link, useRouteError } from 'react-router'
import { AuthCard } from '../components/AuthCard.tsx'
import { errorMessage } from '../components/QueryStates.tsx'

export function NotFoundPage() {
  return (
    <AuthCard title="Page not found">
      <p>There is nothing at this address.</p>
      <p>
        <Link to="/">Go to the dashboard</Link>
      </p>
    </AuthCard>
  )
}

/** A render error of a page, instead of a blank screen. */
export function RouteErrorPage() {
  const error = useRouteError()
  return (
    <AuthCard title="Something went wrong">
      <p role="alert">{errorMessage(error)}</p>
      <p>
        <Link to="/" reloadDocument>
          Reload the dashboard
        </Link>
      </p>
    </AuthCard>
  )
}
