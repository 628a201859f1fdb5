import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount, useCan } from '../account.ts'
import { api, type Role } from '../api.ts'
import { roleLabels } from '../catalogue.ts'
import { useInvalidateAccount } from '../queries.ts'
import { CopyField } from './CopyField.tsx'
import { SelectField, TextField } from './Field.tsx'
import { FormDialogFooter } from './FormDialogFooter.tsx'
import { Modal } from './Modal.tsx'

const emailPattern = /^[^\s@]+@[^\s@]+$/

/** An invite link for one email and role; only Owners (roles.manage) may invite Owners or Viewers. */
export function InviteMemberDialog({ onClose }: { onClose: () => void }) {
  const { account } = useAccount()
  const canChooseRole = useCan('roles.manage')
  const invalidateAccount = useInvalidateAccount(account.id)
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('member')
  const [submitted, setSubmitted] = useState(false)
  const [link, setLink] = useState<string | null>(null)
  const roles: Role[] = canChooseRole ? ['owner', 'member', 'viewer'] : ['member']
  const invite = useMutation({
    mutationFn: () => api.createInvitation(account.id, { email: email.trim(), role }),
    onSuccess: (result) => {
      setLink(new URL(result.link, window.location.origin).toString())
      void invalidateAccount()
    },
  })
  const emailError = !submitted
    ? null
    : !email.trim()
      ? 'Email is required'
      : emailPattern.test(email.trim())
        ? null
        : 'Enter a valid email address'

  function submit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault()
    setSubmitted(true)
    if (!emailPattern.test(email.trim())) return
    invite.mutate()
  }

  return (
    <Modal
      open
      onOpenChange={(open) => {
        if (!open) onClose()
      }}
      title="Invite member"
      description={
        link
          ? `Send this link to ${email.trim()}. It works once, for that email only.`
          : `Invite someone to ${account.name} with a link.`
      }
      keepOpenOnOutsideClick={link !== null}
    >
      {link ? (
        <div className="stack">
          <CopyField label="Invite link" value={link} />
          <p className="callout callout-warning">This link will not be shown again.</p>
          <div className="dialog-actions">
            <button type="button" className="button primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={submit} noValidate>
          <TextField
            label="Email"
            type="email"
            value={email}
            onChange={setEmail}
            error={emailError}
            aria-required="true"
            autoComplete="off"
          />
          <SelectField
            label="Role"
            value={role}
            onChange={(value) => setRole(value as Role)}
            options={roles.map((value) => ({ value, label: roleLabels[value] }))}
            hint={
              canChooseRole
                ? 'Owners manage everything; Members manage keys and invite; Viewers only read.'
                : 'Only Owners can invite Owners or Viewers.'
            }
          />
          <FormDialogFooter mutation={invite} onCancel={onClose} submitLabel="Create invite link" />
        </form>
      )}
    </Modal>
  )
}
