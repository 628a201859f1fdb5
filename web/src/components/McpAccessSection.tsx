import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount, useCan } from '../account.ts'
import { api, type McpPolicy, mcpPolicyOf } from '../api.ts'
import { useInvalidateAccount, useKeyPolicy } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'
import { CheckboxField } from './CheckboxField.tsx'
import { FormError } from './QueryStates.tsx'
import { TitledSection } from './TitledSection.tsx'

const switches: readonly { name: keyof McpPolicy; label: string; hint: string }[] = [
  {
    name: 'mcpKeys',
    label: 'API keys may call MCP tools',
    hint: 'Off: every key of the team is refused on /api/mcp. The REST API is not affected.',
  },
  {
    name: 'mcpOAuth',
    label: 'Connected apps (OAuth) may call MCP tools',
    hint: 'Off: every connected app of the team is refused on its next request, and no new one can be used.',
  },
]

/**
 * Team → MCP access: the account policy's two switches (keys, OAuth grants) for `/api/mcp`. Owners change them;
 * everyone else reads them. Hidden when the server's key policy has no such switches.
 */
export function McpAccessSection() {
  const { account } = useAccount()
  const policy = useKeyPolicy(account.id)
  const canEdit = useCan('roles.manage')
  const saved = policy.data ? mcpPolicyOf(policy.data) : null
  if (!saved) return null // loading, failed (the API key policy above says so) or not offered
  return (
    <TitledSection title="MCP access">
      {canEdit ? (
        <McpAccessForm saved={saved} />
      ) : (
        <dl className="details-list" aria-label="MCP access">
          {switches.map((entry) => (
            <div key={entry.name} className="details-item">
              <dt>{entry.label}</dt>
              <dd>{saved[entry.name] ? 'Yes' : 'No'}</dd>
            </div>
          ))}
        </dl>
      )}
    </TitledSection>
  )
}

function McpAccessForm({ saved }: { saved: McpPolicy }) {
  const { account } = useAccount()
  const queryClient = useQueryClient()
  const invalidateAccount = useInvalidateAccount(account.id)
  const [choice, setChoice] = useState(saved)
  const [notice, setNotice] = useState<string | null>(null)
  const save = useMutation({
    mutationFn: (change: McpPolicy) => api.updateMcpPolicy(account.id, change),
    onSuccess: (policy) => {
      queryClient.setQueryData(queryKeys.keyPolicy(account.id), policy)
      setNotice('MCP access saved.')
      void invalidateAccount()
    },
  })

  function submit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault()
    setNotice(null)
    save.mutate(choice)
  }

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="MCP access">
      {switches.map((entry) => (
        <CheckboxField
          key={entry.name}
          className="plain-label"
          label={entry.label}
          description={entry.hint}
          checked={choice[entry.name]}
          onCheckedChange={(on) => setChoice((current) => ({ ...current, [entry.name]: on }))}
        />
      ))}
      <FormError error={save.error} />
      {notice ? (
        <p role="status" className="muted">
          {notice}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="submit" className="button primary" disabled={save.isPending} aria-busy={save.isPending}>
          Save MCP access
        </button>
      </div>
    </form>
  )
}
