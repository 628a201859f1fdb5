import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link, useLocation, useNavigate, useParams } from 'react-router'
import { api, isUnauthorized } from '../api.ts'
import { roleLabels } from '../catalogue.ts'
import { AuthCard } from '../components/AuthCard.tsx'
import { ErrorState, FormError, Loading } from '../components/QueryStates.tsx'
import { DateText } from '../components/Time.tsx'
import { signInPath } from '../navigation.ts'
import { useMe } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'

/** An invitation link: who invites whom, as what; Accept joins the account (signed in as the invited email). */
export function InvitePage() {
  const { token = '' } = useParams()
  const location = useLocation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const me = useMe()
  const invitation = useQuery({
    queryKey: queryKeys.invitation(token),
    queryFn: () => api.invitation(token),
    enabled: me.isSuccess,
  })
  // Before sign-in, the link still tells whose team it is and as what (the public preview: nothing more).
  const preview = useQuery({
    queryKey: queryKeys.publicInvitation(token),
    queryFn: () => api.publicInvitation(token),
    enabled: me.isError && isUnauthorized(me.error),
  })
  const accept = useMutation({
    mutationFn: () => api.acceptInvitation(token),
    onSuccess: async ({ account }) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.me })
      navigate(`/a/${account.id}/home`, { replace: true })
    },
  })

  if (me.isPending) {
    return (
      <AuthCard title="Invitation">
        <Loading />
      </AuthCard>
    )
  }

  if (me.isError) {
    if (!isUnauthorized(me.error)) {
      return (
        <AuthCard title="Invitation">
          <ErrorState error={me.error} onRetry={() => void me.refetch()} />
        </AuthCard>
      )
    }
    return (
      <AuthCard title={preview.data ? `Join ${preview.data.accountName}` : 'You have been invited'}>
        {preview.isPending ? <Loading /> : null}
        {preview.data ? (
          <p>
            You are invited to join <strong>{preview.data.accountName}</strong> as{' '}
            <strong>{roleLabels[preview.data.role] ?? preview.data.role}</strong>.
          </p>
        ) : null}
        {preview.isError ? (
          <p className="callout callout-warning">
            This invitation link is not valid: it may have expired, been replaced or been used.
          </p>
        ) : null}
        <p>Sign in with the email address the invitation was sent to, then come back here to accept it.</p>
        <div className="stack">
          <Link className="button primary block" to={signInPath(location)}>
            Sign in to accept
          </Link>
          <p className="muted center">
            New to Keyward? <Link to={signInPath(location, '/sign-up')}>Create an account</Link>
          </p>
        </div>
      </AuthCard>
    )
  }

  if (invitation.isPending) {
    return (
      <AuthCard title="Invitation">
        <Loading />
      </AuthCard>
    )
  }

  if (invitation.isError) {
    return (
      <AuthCard title="Invitation">
        <ErrorState error={invitation.error} onRetry={() => void invitation.refetch()} />
        <p>
          <Link to="/">Go to your dashboard</Link>
        </p>
      </AuthCard>
    )
  }

  const { accountName, email, role, expiresAt } = invitation.data
  const otherEmail = me.data.user.email.toLowerCase() !== email.toLowerCase()
  return (
    <AuthCard title={`Join ${accountName}`}>
      <div className="stack">
        <p>
          <strong>{email}</strong> is invited to join <strong>{accountName}</strong> as{' '}
          <strong>{roleLabels[role] ?? role}</strong>. The invitation expires on <DateText at={expiresAt} />.
        </p>
        {otherEmail ? (
          <p className="callout callout-warning">
            You are signed in as {me.data.user.email}. Only {email} can accept this invitation: sign out and
            sign in with that address.
          </p>
        ) : null}
        <FormError error={accept.error} />
        <button
          type="button"
          className="button primary block"
          onClick={() => accept.mutate()}
          disabled={accept.isPending}
          aria-busy={accept.isPending}
        >
          Accept
        </button>
        <p className="muted center">
          <Link to="/">Not now</Link>
        </p>
      </div>
    </AuthCard>
  )
}
