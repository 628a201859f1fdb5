import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { useAccount } from '../account.ts'
import { api } from '../api.ts'
import { webhookEvents } from '../catalogue.ts'
import { useInvalidateAccount, useProjects } from '../queries.ts'
import { CheckboxField } from './CheckboxField.tsx'
import { CopyField } from './CopyField.tsx'
import { SelectField, TextField } from './Field.tsx'
import { FormDialogFooter } from './FormDialogFooter.tsx'
import { Modal } from './Modal.tsx'
import { ErrorState, Loading } from './QueryStates.tsx'

function urlError(url: string): string | null {
  if (!url.trim()) return 'URL is required'
  try {
    const parsed = new URL(url.trim())
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'Enter an https:// URL'
    return null
  } catch {
    return 'Enter a full URL, such as https://example.com/hooks/keyward'
  }
}

/** Subscribe a URL of one project to events; the signing secret is shown once afterwards. */
export function CreateWebhookDialog({ onClose }: { onClose: () => void }) {
  const { account } = useAccount()
  const projects = useProjects(account.id)
  const invalidateAccount = useInvalidateAccount(account.id)
  const [url, setUrl] = useState('')
  const [chosenProjectId, setChosenProjectId] = useState('')
  const [events, setEvents] = useState<Set<string>>(() => new Set())
  const [submitted, setSubmitted] = useState(false)
  const [secret, setSecret] = useState<string | null>(null)
  const projectList = projects.data?.data ?? []
  const projectId = chosenProjectId || projectList[0]?.id || ''

  const create = useMutation({
    mutationFn: () =>
      api.createWebhook(projectId, {
        url: url.trim(),
        events: webhookEvents.filter((event) => events.has(event)),
      }),
    onSuccess: (result) => {
      setSecret(result.secret)
      void invalidateAccount()
    },
  })

  const urlProblem = submitted ? urlError(url) : null
  const eventsProblem = submitted && events.size === 0 ? 'Choose at least one event' : null

  function toggle(event: string, on: boolean) {
    const next = new Set(events)
    if (on) next.add(event)
    else next.delete(event)
    setEvents(next)
  }

  function submit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault()
    setSubmitted(true)
    if (urlError(url) || events.size === 0 || !projectId) return
    create.mutate()
  }

  function close() {
    setSecret(null)
    onClose()
  }

  return (
    <Modal
      open
      onOpenChange={(open) => {
        if (!open) close()
      }}
      title="Create webhook"
      description={
        secret
          ? 'Use this secret to verify the signature of each delivery.'
          : 'Keyward POSTs a signed JSON payload to the URL when a chosen event happens.'
      }
      keepOpenOnOutsideClick={secret !== null}
    >
      {secret ? (
        <div className="stack">
          <p className="callout callout-warning">
            <strong>This secret will not be shown again.</strong> Store it with your receiver now.
          </p>
          <CopyField label="Signing secret" value={secret} />
          <div className="dialog-actions">
            <button type="button" className="button primary" onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : projects.isPending ? (
        <Loading />
      ) : projects.isError ? (
        <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />
      ) : projectList.length === 0 ? (
        <p>
          A webhook belongs to a project, and this account has none yet.{' '}
          <Link to={`/a/${account.id}/projects`} onClick={close}>
            Create a project
          </Link>{' '}
          first.
        </p>
      ) : (
        <form className="stack" onSubmit={submit} noValidate>
          <TextField
            label="URL"
            type="url"
            value={url}
            onChange={setUrl}
            error={urlProblem}
            placeholder="https://example.com/hooks/keyward"
            aria-required="true"
            autoComplete="off"
          />
          <SelectField
            label="Project"
            value={projectId}
            onChange={setChosenProjectId}
            options={projectList.map((project) => ({ value: project.id, label: project.name }))}
          />
          <fieldset className="scope-picker">
            <legend>Events</legend>
            <div className="event-list">
              {webhookEvents.map((event) => (
                <CheckboxField
                  key={event}
                  label={event}
                  checked={events.has(event)}
                  onCheckedChange={(on) => toggle(event, on)}
                />
              ))}
            </div>
            {eventsProblem ? (
              <p role="alert" className="field-error">
                {eventsProblem}
              </p>
            ) : null}
          </fieldset>
          <FormDialogFooter mutation={create} onCancel={close} submitLabel="Create webhook" />
        </form>
      )}
    </Modal>
  )
}
