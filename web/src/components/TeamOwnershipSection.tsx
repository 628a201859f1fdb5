import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { useAccount } from '../account.ts'
import { api } from '../api.ts'
import { queryKeys } from '../queryKeys.ts'
import { SelectField, TextField } from './Field.tsx'
import { Modal } from './Modal.tsx'
import { FormError } from './QueryStates.tsx'
import { TitledSection } from './TitledSection.tsx'

/** Transfer ownership and delete the team: shown to the primary owner only (the server refuses everyone else). */
export function TeamOwnershipSection() {
  const { account, user } = useAccount()
  const settings = useQuery({
    queryKey: queryKeys.teamSettings(account.id),
    queryFn: () => api.teamSettings(account.id),
  })
  const members = useQuery({
    queryKey: queryKeys.members(account.id),
    queryFn: () => api.members(account.id),
  })
  const [deleting, setDeleting] = useState(false)
  if (!settings.data?.isPrimaryOwner) return null
  const others = (members.data?.data ?? []).filter((m) => m.userId !== user.id)

  return (
    <TitledSection title="Ownership and deletion">
      <TransferOwnership accountId={account.id} candidates={others} />
      <div className="stack">
        <p>
          Deleting <strong>{account.name}</strong> revokes every API key at once, removes every member and
          pending invitation, and stops its webhooks. It cannot be undone.
        </p>
        <div>
          <button type="button" className="button danger" onClick={() => setDeleting(true)}>
            Delete team
          </button>
        </div>
      </div>
      {deleting ? <DeleteTeamDialog onClose={() => setDeleting(false)} /> : null}
    </TitledSection>
  )
}

function TransferOwnership({
  accountId,
  candidates,
}: {
  accountId: string
  candidates: { userId: string; name: string; email: string }[]
}) {
  const queryClient = useQueryClient()
  const [userId, setUserId] = useState('')
  const transfer = useMutation({
    mutationFn: () => api.transferOwnership(accountId, userId),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.me })
      await queryClient.invalidateQueries({ queryKey: queryKeys.account(accountId) })
    },
  })
  if (candidates.length === 0)
    return <p className="muted">Invite someone first: ownership can only pass to another member.</p>
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault()
        if (userId) transfer.mutate()
      }}
    >
      <SelectField
        label="New primary owner"
        value={userId}
        onChange={setUserId}
        options={[
          { value: '', label: 'Choose a member…' },
          ...candidates.map((m) => ({ value: m.userId, label: `${m.name} (${m.email})` })),
        ]}
        hint="They become an Owner if they are not one. You stay an Owner."
      />
      <FormError error={transfer.error} />
      <div>
        <button type="submit" className="button" disabled={!userId || transfer.isPending}>
          Transfer ownership
        </button>
      </div>
    </form>
  )
}

function DeleteTeamDialog({ onClose }: { onClose: () => void }) {
  const { account } = useAccount()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const [typed, setTyped] = useState('')
  const remove = useMutation({
    mutationFn: () => api.deleteTeam(account.id, typed),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: queryKeys.account(account.id) })
      await queryClient.invalidateQueries({ queryKey: queryKeys.me })
      navigate('/', { replace: true })
    },
  })
  const matches = typed.trim() === account.name
  return (
    <Modal
      open
      onOpenChange={(open) => {
        if (!open) onClose()
      }}
      title="Delete team"
      description={`Type ${account.name} to confirm. Every key stops working at once.`}
    >
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault()
          if (matches) remove.mutate()
        }}
      >
        <TextField label="Team name" value={typed} onChange={setTyped} autoComplete="off" />
        <FormError error={remove.error} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button danger" disabled={!matches || remove.isPending}>
            Delete this team
          </button>
        </div>
      </form>
    </Modal>
  )
}
