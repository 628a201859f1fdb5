import { useMutation } from '@tanstack/react-query'
import { useAccount, useCan } from '../account.ts'
import { api, type Invitation } from '../api.ts'
import { roleLabels } from '../catalogue.ts'
import { useInvalidateAccount } from '../queries.ts'
import { FormError } from './QueryStates.tsx'
import { ActionsHeader, RowActionButton } from './TableActions.tsx'
import { DateText } from './Time.tsx'

export function InvitationsTable({ invitations }: { invitations: Invitation[] }) {
  const { account } = useAccount()
  const canRevoke = useCan('invites.manage')
  const invalidateAccount = useInvalidateAccount(account.id)
  const revoke = useMutation({
    mutationFn: (invitation: Invitation) => api.revokeInvitation(account.id, invitation.id),
    onSuccess: () => void invalidateAccount(),
  })

  return (
    <>
      <FormError error={revoke.error} />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Pending invitations</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Invited by</th>
              <th scope="col">Expires</th>
              {canRevoke ? <ActionsHeader /> : null}
            </tr>
          </thead>
          <tbody>
            {invitations.map((invitation) => (
              <tr key={invitation.id}>
                <td className="strong">{invitation.email}</td>
                <td>{roleLabels[invitation.role]}</td>
                <td>{invitation.invitedBy?.name ?? <span className="muted">—</span>}</td>
                <td>
                  <DateText at={invitation.expiresAt} />
                </td>
                {canRevoke ? (
                  <td className="actions-cell">
                    <RowActionButton
                      danger
                      aria-label={`Revoke invitation for ${invitation.email}`}
                      disabled={revoke.isPending && revoke.variables?.id === invitation.id}
                      onClick={() => revoke.mutate(invitation)}
                    >
                      Revoke
                    </RowActionButton>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}
