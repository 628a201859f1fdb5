import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { useAccount, useCan } from '../account.ts'
import { api, type Member, type Role } from '../api.ts'
import { roleLabels } from '../catalogue.ts'
import { useInvalidateAccount } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'
import { ConfirmDialog } from './ConfirmDialog.tsx'
import { FormError } from './QueryStates.tsx'
import { ActionsHeader, RowActionButton } from './TableActions.tsx'
import { DateText } from './Time.tsx'

const roleOptions: Role[] = ['owner', 'member', 'viewer']

function RoleSelect({ member, onError }: { member: Member; onError: (error: unknown) => void }) {
  const { account } = useAccount()
  const invalidateAccount = useInvalidateAccount(account.id)
  const change = useMutation({
    mutationFn: (role: Role) => api.changeMemberRole(account.id, member.userId, role),
    onMutate: () => onError(null),
    onError,
    onSettled: () => void invalidateAccount(),
  })
  return (
    <select
      className="input select select-inline"
      aria-label={`Role for ${member.email}`}
      value={change.isPending ? change.variables : member.role}
      disabled={change.isPending}
      onChange={(event) => change.mutate(event.target.value as Role)}
    >
      {roleOptions.map((role) => (
        <option key={role} value={role}>
          {roleLabels[role]}
        </option>
      ))}
    </select>
  )
}

/** The account's members; role changes with roles.manage, removal with members.manage (or leaving, for oneself). */
export function MembersTable({ members }: { members: Member[] }) {
  const { account, user } = useAccount()
  const canChangeRoles = useCan('roles.manage')
  const canRemove = useCan('members.manage')
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const invalidateAccount = useInvalidateAccount(account.id)
  const [roleError, setRoleError] = useState<unknown>(null)
  const [removing, setRemoving] = useState<Member | null>(null)
  const leaving = removing?.userId === user.id

  const remove = useMutation({
    mutationFn: (member: Member) => api.removeMember(account.id, member.userId),
    onSuccess: async (_, member) => {
      setRemoving(null)
      if (member.userId === user.id) {
        await queryClient.invalidateQueries({ queryKey: queryKeys.me })
        navigate('/', { replace: true })
      } else void invalidateAccount()
    },
  })

  function closeRemoval() {
    setRemoving(null)
    remove.reset()
  }

  return (
    <>
      <FormError error={roleError} />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Members</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {members.map((member) => {
              const self = member.userId === user.id
              return (
                <tr key={member.userId}>
                  <td className="strong">
                    {member.name}
                    {self ? <span className="muted"> (you)</span> : null}
                  </td>
                  <td>{member.email}</td>
                  <td>
                    {canChangeRoles ? (
                      <RoleSelect member={member} onError={setRoleError} />
                    ) : (
                      roleLabels[member.role]
                    )}
                  </td>
                  <td>
                    <DateText at={member.createdAt} />
                  </td>
                  <td className="actions-cell">
                    {self ? (
                      <RowActionButton onClick={() => setRemoving(member)}>Leave account</RowActionButton>
                    ) : canRemove ? (
                      <RowActionButton
                        danger
                        aria-label={`Remove ${member.email}`}
                        onClick={() => setRemoving(member)}
                      >
                        Remove
                      </RowActionButton>
                    ) : null}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => {
          if (!open) closeRemoval()
        }}
        title={leaving ? 'Leave account' : 'Remove member'}
        description={
          leaving
            ? `Leave ${account.name}? You lose access to its projects and keys until someone invites you again.`
            : `Remove ${removing?.email ?? ''} from ${account.name}? They lose access at once.`
        }
        confirmLabel={leaving ? 'Leave account' : 'Remove member'}
        onConfirm={() => {
          if (removing) remove.mutate(removing)
        }}
        pending={remove.isPending}
        error={remove.error}
      />
    </>
  )
}
