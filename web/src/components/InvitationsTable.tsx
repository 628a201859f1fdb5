import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount, useCan } from '../account.ts'
import { api, type Invitation } from '../api.ts'
import { roleLabels } from '../catalogue.ts'
import { useInvalidateAccount } from '../queries.ts'
import { CopyField } from './CopyField.tsx'
import { Modal } from './Modal.tsx'
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
  // Only the token's hash is stored, so a link cannot be shown again: a new one replaces it (the old one stops).
  const [renewed, setRenewed] = useState<{ email: string; link: string } | null>(null)
  const renew = useMutation({
    mutationFn: (invitation: Invitation) => api.regenerateInvitationLink(account.id, invitation.id),
    onSuccess: (result) => {
      setRenewed({
        email: result.invitation.email,
        link: new URL(result.link, window.location.origin).toString(),
      })
      void invalidateAccount()
    },
  })

  return (
    <>
      <FormError error={revoke.error ?? renew.error} />
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
                      aria-label={`New link for ${invitation.email}`}
                      disabled={renew.isPending && renew.variables?.id === invitation.id}
                      onClick={() => renew.mutate(invitation)}
                    >
                      New link
                    </RowActionButton>{' '}
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
      {renewed ? (
        <Modal
          open
          onOpenChange={(open) => {
            if (!open) setRenewed(null)
          }}
          title="New invite link"
          description={`Send this link to ${renewed.email}. The previous link no longer works.`}
          keepOpenOnOutsideClick
        >
          <div className="stack">
            <CopyField label="Invite link" value={renewed.link} />
            <div className="dialog-actions">
              <button type="button" className="button primary" onClick={() => setRenewed(null)}>
                Done
              </button>
            </div>
          </div>
        </Modal>
      ) : null}
    </>
  )
}
