import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { useAccount } from '../account.ts'
import { api, type KeyRow } from '../api.ts'
import { scopesForRequest, scopesOfPreset } from '../catalogue.ts'
import { allowedExpirations } from '../keyPolicy.ts'
import { useInvalidateAccount, useKeyPolicy, useProjects } from '../queries.ts'
import { useDuplicateKeyName } from '../useDuplicateKeyName.ts'
import { type ExpiryChoice, ExpiryPicker, expiresValue } from './ExpiryPicker.tsx'
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
  // The account key policy decides the preset a new key starts with and the expirations on offer.
  const policy = useKeyPolicy(account.id)
  const [name, setName] = useState('')
  const [chosenProjectId, setChosenProjectId] = useState('')
  const [chosenExpiry, setExpiry] = useState<ExpiryChoice | null>(null)
  const [chosenScopes, setScopes] = useState<Set<string> | null>(null)
  const [submitted, setSubmitted] = useState(false)
  const [created, setCreated] = useState<{ key: KeyRow; rawKey: string } | null>(null)
  const [copied, setCopied] = useState(false)
  const [confirmingDiscard, setConfirmingDiscard] = useState(false)

  const create = useMutation({
    mutationFn: (input: Parameters<typeof api.createKey>[1]) => api.createKey(account.id, input),
    onSuccess: (result) => {
      setCreated(result)
      void invalidateAccount()
    },
  })

  const expirations = allowedExpirations(policy.data)
  // A preset the policy does not allow (it changed while the dialog was open) falls back to the first allowed one.
  const expiry =
    chosenExpiry &&
    (chosenExpiry.mode.startsWith('custom') ||
      expirations.some((choice) => choice.value === chosenExpiry.mode))
      ? chosenExpiry
      : { mode: expirations[0]?.value ?? 'never', custom: '' }
  const scopes = chosenScopes ?? scopesOfPreset(policy.data?.defaultScopes === 'read' ? 'read-only' : 'full')
  const projectList = projects.data?.data ?? []
  const projectId = chosenProjectId || projectList[0]?.id || ''
  const nameError = submitted ? validateKeyName(name) : null
  const sameName = useDuplicateKeyName(account.id, projectId, name)
  const projectName = projectList.find((project) => project.id === projectId)?.name ?? 'this project'
  const scopeError = submitted && scopes.size === 0 ? 'Choose at least one scope' : null

  /** Escape, × and Done all come here: a key never copied is not thrown away without asking. */
  function close(next: boolean) {
    if (next) return onOpenChange(true)
    if (created && !copied) return setConfirmingDiscard(true)
    discard()
  }

  function discard() {
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
      expires: expiresValue(expiry),
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
        <KeyReveal
          created={created}
          onCopied={() => {
            setCopied(true)
            setConfirmingDiscard(false)
          }}
          confirmingDiscard={confirmingDiscard}
          onKeepOpen={() => setConfirmingDiscard(false)}
          onDone={() => close(false)}
          onDiscard={discard}
        />
      ) : projects.isPending || policy.isPending ? (
        <Loading />
      ) : projects.isError ? (
        <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />
      ) : policy.isError ? (
        <ErrorState error={policy.error} onRetry={() => void policy.refetch()} />
      ) : projectList.length === 0 ? (
        <div className="stack">
          <p>
            A key belongs to a project, and this account has none yet.{' '}
            <Link to={`/a/${account.id}/projects`} onClick={discard}>
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
            hint={
              <>
                {`${name.trim().length}/${nameLimit} characters`}
                {sameName > 0 ? (
                  <span className="name-warning" role="status">
                    {' '}
                    {sameName === 1 ? 'A key' : `${sameName} keys`} of {projectName} already{' '}
                    {sameName === 1 ? 'has' : 'have'} this name. A distinct name tells them apart.
                  </span>
                ) : null}
              </>
            }
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
            <ExpiryPicker
              value={expiry}
              onChange={setExpiry}
              presets={expirations}
              hint={
                policy.data?.maxLifetimeDays != null
                  ? `The account's key policy allows at most ${policy.data.maxLifetimeDays} days.`
                  : policy.data?.requireExpiry
                    ? "The account's key policy requires an expiration."
                    : undefined
              }
            />
          </div>
          <ScopePicker selected={scopes} onChange={setScopes} error={scopeError} />
          <FormDialogFooter mutation={create} onCancel={() => close(false)} submitLabel="Create key" />
        </form>
      )}
    </Modal>
  )
}
