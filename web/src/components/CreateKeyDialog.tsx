import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { useAccount } from '../account.ts'
import { api, type KeyRow } from '../api.ts'
import { allScopes, scopesForRequest } from '../catalogue.ts'
import { useInvalidateAccount, useProjects } from '../queries.ts'
import { defaultExpiry, ExpiryPicker, expiresValue } from './ExpiryPicker.tsx'
import { SelectField, TextField } from './Field.tsx'
import { FormDialogFooter } from './FormDialogFooter.tsx'
import { KeyReveal } from './KeyReveal.tsx'
import { Modal } from './Modal.tsx'
import { ErrorState, Loading } from './QueryStates.tsx'
import { ScopePicker } from './ScopePicker.tsx'

const nameLimit = 100

export function validateKeyName(name: string): string | null {
  if (!name.trim()) return 'Name is required'
  if (name.trim().length > nameLimit) return `Name must be at most ${nameLimit} characters`
  return null
}

interface CreateKeyDialogProps {
  open: boolean
  onOpenChange: (open: boolean) => void
}

/**
 * Create API Key: name, project, expiration and scopes; then the raw key, shown once. Closing drops the raw key
 * (state set to null), and the caller unmounts the dialog as well.
 */
export function CreateKeyDialog({ open, onOpenChange }: CreateKeyDialogProps) {
  const { account } = useAccount()
  const projects = useProjects(account.id)
  const invalidateAccount = useInvalidateAccount(account.id)
  const [name, setName] = useState('')
  const [chosenProjectId, setChosenProjectId] = useState('')
  const [expires, setExpires] = useState(defaultExpiry)
  const [scopes, setScopes] = useState<Set<string>>(() => new Set(allScopes))
  const [submitted, setSubmitted] = useState(false)
  const [created, setCreated] = useState<{ key: KeyRow; rawKey: string } | null>(null)

  const create = useMutation({
    mutationFn: (input: Parameters<typeof api.createKey>[1]) => api.createKey(account.id, input),
    onSuccess: (result) => {
      setCreated(result)
      void invalidateAccount()
    },
  })

  const projectList = projects.data?.data ?? []
  const projectId = chosenProjectId || projectList[0]?.id || ''
  const nameError = submitted ? validateKeyName(name) : null
  const scopeError = submitted && scopes.size === 0 ? 'Choose at least one scope' : null

  function close(next: boolean) {
    if (next) return onOpenChange(true)
    setCreated(null)
    create.reset()
    void invalidateAccount()
    onOpenChange(false)
  }

  function submit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault()
    setSubmitted(true)
    if (validateKeyName(name) || scopes.size === 0 || !projectId) return
    create.mutate({
      projectId,
      name: name.trim(),
      expires: expiresValue(expires),
      scopes: scopesForRequest(scopes),
    })
  }

  return (
    <Modal
      open={open}
      onOpenChange={close}
      title="Create API Key"
      description={
        created
          ? `“${created.key.name}” is ready for ${created.key.projectName}.`
          : 'A key lets an app or agent call the API on behalf of one project.'
      }
      keepOpenOnOutsideClick={created !== null}
    >
      {created ? (
        <KeyReveal rawKey={created.rawKey} onDone={() => close(false)} />
      ) : projects.isPending ? (
        <Loading />
      ) : projects.isError ? (
        <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />
      ) : projectList.length === 0 ? (
        <div className="stack">
          <p>
            A key belongs to a project, and this account has none yet.{' '}
            <Link to={`/a/${account.id}/projects`} onClick={() => close(false)}>
              Create a project
            </Link>{' '}
            first.
          </p>
        </div>
      ) : (
        <form className="stack" onSubmit={submit} noValidate>
          <TextField
            label="Name"
            value={name}
            onChange={setName}
            error={nameError}
            hint={`${name.trim().length}/${nameLimit} characters`}
            aria-required="true"
            autoComplete="off"
          />
          <div className="field-row">
            <SelectField
              label="Project"
              value={projectId}
              onChange={setChosenProjectId}
              options={projectList.map((project) => ({ value: project.id, label: project.name }))}
            />
            <ExpiryPicker value={expires} onChange={setExpires} />
          </div>
          <ScopePicker selected={scopes} onChange={setScopes} error={scopeError} />
          <FormDialogFooter mutation={create} onCancel={() => close(false)} submitLabel="Create key" />
        </form>
      )}
    </Modal>
  )
}
