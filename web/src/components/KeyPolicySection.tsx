import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount, useCan } from '../account.ts'
import { api, type KeyPolicy } from '../api.ts'
import { parseLifetimeField } from '../keyPolicy.ts'
import { useInvalidateAccount, useKeyPolicy } from '../queries.ts'
import { queryKeys } from '../queryKeys.ts'
import { CheckboxField } from './CheckboxField.tsx'
import { SelectField, TextField } from './Field.tsx'
import { ErrorState, FormError, Loading } from './QueryStates.tsx'
import { DateText } from './Time.tsx'
import { TitledSection } from './TitledSection.tsx'

const scopeLabels: Record<KeyPolicy['defaultScopes'], string> = { all: 'Full access', read: 'Read-only' }
const leakLabels: Record<KeyPolicy['leakResponse'], string> = {
  revoke: 'Revoke the key at once',
  notify: 'Only notify (the key keeps working)',
}

/**
 * Team → Settings → API key policy. Owners (`roles.manage`) edit it and see, before saving, which keys a shorter
 * maximum lifetime would stop; everyone else sees it read-only.
 */
export function KeyPolicySection() {
  const { account } = useAccount()
  const policy = useKeyPolicy(account.id)
  const canEdit = useCan('roles.manage')
  return (
    <TitledSection title="API key policy">
      {policy.isPending ? (
        <Loading />
      ) : policy.isError ? (
        <ErrorState error={policy.error} onRetry={() => void policy.refetch()} />
      ) : canEdit ? (
        <KeyPolicyForm saved={policy.data} />
      ) : (
        <KeyPolicySummary policy={policy.data} />
      )}
    </TitledSection>
  )
}

function KeyPolicySummary({ policy }: { policy: KeyPolicy }) {
  return (
    <div className="stack">
      <p className="muted">Only Owners can change the API key policy.</p>
      <dl className="details-list" aria-label="API key policy">
        <dt>Expiration required</dt>
        <dd>{policy.requireExpiry ? 'Yes' : 'No'}</dd>
        <dt>Maximum lifetime</dt>
        <dd>{policy.maxLifetimeDays === null ? 'No maximum' : `${policy.maxLifetimeDays} days`}</dd>
        <dt>Default scopes for new keys</dt>
        <dd>{scopeLabels[policy.defaultScopes]}</dd>
        <dt>When a key is reported leaked</dt>
        <dd>{leakLabels[policy.leakResponse]}</dd>
      </dl>
    </div>
  )
}

function KeyPolicyForm({ saved }: { saved: KeyPolicy }) {
  const { account } = useAccount()
  const queryClient = useQueryClient()
  const invalidateAccount = useInvalidateAccount(account.id)
  const [requireExpiry, setRequireExpiry] = useState(saved.requireExpiry)
  const [lifetime, setLifetime] = useState(
    saved.maxLifetimeDays === null ? '' : String(saved.maxLifetimeDays),
  )
  const [defaultScopes, setDefaultScopes] = useState(saved.defaultScopes)
  const [leakResponse, setLeakResponse] = useState(saved.leakResponse)
  const [notice, setNotice] = useState<string | null>(null)
  const parsed = parseLifetimeField(lifetime)
  const proposedDays = parsed.ok ? parsed.days : saved.maxLifetimeDays
  const shortens =
    parsed.ok &&
    proposedDays !== null &&
    (saved.maxLifetimeDays === null || proposedDays < saved.maxLifetimeDays)

  // Before saving: which live keys the proposed maximum would stop at once.
  const preview = useQuery({
    queryKey: queryKeys.keyPolicyPreview(account.id, proposedDays),
    queryFn: () => api.previewKeyPolicy(account.id, { maxLifetimeDays: proposedDays }),
    enabled: shortens,
  })
  const affected = shortens ? (preview.data?.affected ?? []) : []

  const save = useMutation({
    mutationFn: (change: Partial<KeyPolicy>) => api.updateKeyPolicy(account.id, change),
    onSuccess: (policy) => {
      queryClient.setQueryData(queryKeys.keyPolicy(account.id), policy)
      setNotice('API key policy saved.')
      void invalidateAccount()
    },
  })

  function submit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault()
    setNotice(null)
    if (!parsed.ok) return
    save.mutate({ requireExpiry, maxLifetimeDays: parsed.days, defaultScopes, leakResponse })
  }

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="API key policy">
      <CheckboxField
        className="plain-label"
        label="Require an expiration on new keys"
        checked={requireExpiry}
        onCheckedChange={setRequireExpiry}
      />
      <div className="field-row">
        <TextField
          label="Maximum lifetime (days)"
          value={lifetime}
          onChange={setLifetime}
          inputMode="numeric"
          placeholder="No maximum"
          error={parsed.ok ? null : parsed.error}
          hint="1 to 366 days, counted from a key's creation; empty for no maximum. Older keys stop working."
        />
        <SelectField
          label="Default scopes for new keys"
          value={defaultScopes}
          onChange={(value) => setDefaultScopes(value as KeyPolicy['defaultScopes'])}
          options={Object.entries(scopeLabels).map(([value, label]) => ({ value, label }))}
        />
      </div>
      <SelectField
        label="When a key is reported leaked"
        value={leakResponse}
        onChange={(value) => setLeakResponse(value as KeyPolicy['leakResponse'])}
        options={Object.entries(leakLabels).map(([value, label]) => ({ value, label }))}
      />
      {shortens && preview.isSuccess ? (
        affected.length === 0 ? (
          <p className="muted" data-testid="policy-preview">
            No active key is older than {proposedDays} days: none will stop working.
          </p>
        ) : (
          <div className="callout callout-warning" data-testid="policy-preview">
            <p>
              <strong>
                {affected.length === 1 ? '1 key' : `${affected.length} keys`} will stop working when you save
              </strong>{' '}
              (older than {proposedDays} days):
            </p>
            <ul>
              {affected.map((key) => (
                <li key={key.id}>
                  {key.name} ({key.prefix}…, {key.projectName}), created <DateText at={key.createdAt} />
                </li>
              ))}
            </ul>
          </div>
        )
      ) : null}
      {preview.isError ? <FormError error={preview.error} /> : null}
      <FormError error={save.error} />
      {notice ? (
        <p role="status" className="muted">
          {notice}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="submit" className="button primary" disabled={save.isPending} aria-busy={save.isPending}>
          Save policy
        </button>
      </div>
    </form>
  )
}
