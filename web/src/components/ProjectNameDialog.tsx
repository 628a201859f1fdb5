import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount } from '../account.ts'
import { api, type Project } from '../api.ts'
import { useInvalidateAccount } from '../queries.ts'
import { TextField } from './Field.tsx'
import { FormDialogFooter } from './FormDialogFooter.tsx'
import { Modal } from './Modal.tsx'

/** "New project" when `project` is absent, "Rename project" otherwise. */
export function ProjectNameDialog({ project, onClose }: { project?: Project; onClose: () => void }) {
  const { account } = useAccount()
  const invalidateAccount = useInvalidateAccount(account.id)
  const [name, setName] = useState(project?.name ?? '')
  const [submitted, setSubmitted] = useState(false)
  const save = useMutation({
    mutationFn: (value: string) =>
      project ? api.renameProject(project.id, value) : api.createProject(account.id, value),
    onSuccess: () => {
      void invalidateAccount()
      onClose()
    },
  })
  const error = submitted && !name.trim() ? 'Name is required' : null

  function submit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault()
    setSubmitted(true)
    if (!name.trim()) return
    save.mutate(name.trim())
  }

  return (
    <Modal
      open
      onOpenChange={(open) => {
        if (!open) onClose()
      }}
      title={project ? 'Rename project' : 'New project'}
      description={
        project
          ? `Give “${project.name}” a new name.`
          : 'Projects group API keys and webhooks, e.g. one per app.'
      }
    >
      <form className="stack" onSubmit={submit} noValidate>
        <TextField
          label="Name"
          value={name}
          onChange={setName}
          error={error}
          aria-required="true"
          autoComplete="off"
        />
        <FormDialogFooter
          mutation={save}
          onCancel={onClose}
          submitLabel={project ? 'Save' : 'Create project'}
        />
      </form>
    </Modal>
  )
}
